// Shared by the browser tests: Debian's chromium through playwright-core (never a downloaded
// browser), axe-core run inside the page, screenshots under build/web-artifacts/, and one JSON
// result line on stdout for the pytest module that started the script.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
export const HERE = path.dirname(url.fileURLToPath(import.meta.url));
export const BASE = process.env.LUMBUNG_URL;
export const ARTIFACTS = process.env.LUMBUNG_ARTIFACTS || path.join(HERE, '../../build/web-artifacts');
export const TIMEOUT = Number(process.env.LUMBUNG_WEB_TIMEOUT_MS || 60000);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function launch(viewport = { width: 1366, height: 768 }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lumbung-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.LUMBUNG_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport,
    locale: 'id-ID',
    timezoneId: 'Asia/Jakarta',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  const writes = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to/.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`); });
  // Every state-changing call the app makes carries an Idempotency-Key, and the CSRF token once
  // there is a session (a test's deliberate probe says so in X-Test-Probe).
  page.on('request', (r) => {
    const where = r.url().slice(BASE.length).split('?')[0];
    const headers = r.headers();
    if (!where.startsWith('/api/') || ['GET', 'HEAD'].includes(r.method()) || headers['x-test-probe']) return;
    if (!headers['idempotency-key']) problems.push(`no Idempotency-Key: ${r.method()} ${where}`);
    // The logins come before any session: nothing to protect with a token yet.
    const logins = ['/api/v1/auth/login', '/api/v1/member/login', '/api/v1/member/activate'];
    if (!headers['x-csrf-token'] && !logins.includes(where)) problems.push(`no CSRF token: ${r.method()} ${where}`);
    writes.push(`${r.method()} ${where}`);
  });
  const close = async () => { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); };
  return { context, page, problems, writes, close };
}

// axe-core is evaluated through the DevTools protocol, which the page's CSP does not govern,
// so the page under test keeps its strict policy.
export async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function shot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Waits until the router has drawn a page whose h1 has `text`.
export async function heading(page, text) {
  const exact = new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  await page.locator('main h1', { hasText: exact }).first().waitFor();
}

export async function text(page, selector) {
  const l = page.locator(selector).first();
  await l.waitFor();
  return (await l.innerText()).trim();
}

// Runs the steps in order; stops at the first failure. Prints {ok, steps, data, axe, problems}.
// options.alsoAt: more viewports every checked page is also measured and photographed at
// (`name-WIDTHxHEIGHT.png`), the page then put back to `viewport`.
export async function run(steps, viewport, options = {}) {
  const out = { ok: true, steps: [], data: {}, axe: {}, overflow: [], problems: [] };
  let browser;
  try {
    browser = await launch(viewport);
    // At every checked page: accessibility, no sideways scrolling at this viewport, a screenshot.
    const wider = () => browser.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    const ctx = { ...browser, data: out.data, axe: async (name) => {
      out.axe[name] = await axe(browser.page);
      if (await wider()) out.overflow.push(name);
      await shot(browser.page, name);
      if (!options.alsoAt) return;
      const back = browser.page.viewportSize();
      for (const v of options.alsoAt) {
        await browser.page.setViewportSize(v);
        if (await wider()) out.overflow.push(`${name}@${v.width}x${v.height}`);
        await shot(browser.page, `${name}-${v.width}x${v.height}`);
      }
      await browser.page.setViewportSize(back);
    } };
    for (const [name, fn] of steps) {
      try {
        await fn(ctx);
        out.steps.push({ name, ok: true });
      } catch (e) {
        out.ok = false;
        out.steps.push({ name, ok: false, error: String(e && e.stack || e).slice(0, 2000) });
        try { await shot(browser.page, `failed-${name.replace(/\W+/g, '-')}`); } catch (e2) { /* nothing to show */ }
        break;
      }
    }
    out.problems = browser.problems;
    out.writes = browser.writes;
  } catch (e) {
    out.ok = false;
    out.steps.push({ name: 'launch', ok: false, error: String(e && e.stack || e) });
  } finally {
    if (browser) await browser.close();
  }
  console.log(JSON.stringify(out));
}

export async function login(page, username, password) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.locator('#who').waitFor();
}
