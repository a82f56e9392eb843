// Roles in a real browser: an operator of one cooperative reaches only its own pages (another
// cooperative's pages, by link or typed address, show "Akses ditolak" and none of its data;
// the API refuses too), and a viewer sees no button that would be refused.
// Runs at 800x1280, a 10-inch tablet. Env: LUMBUNG_URL, OWN_COOP, OTHER_COOP, OTHER_NAME, OPERATOR,
// VIEWER, PASSWORD.
import { run, login, heading, text, BASE } from './lib.mjs';

const { OWN_COOP, OTHER_COOP, OTHER_NAME, OPERATOR, VIEWER, PASSWORD } = process.env;

const steps = [
  ['operator lands on their own cooperative', async ({ page, data, axe }) => {
    await login(page, OPERATOR, PASSWORD);
    await page.locator('main ul.tabs').waitFor();              // the cooperative's page is drawn
    data.operator_home = new URL(page.url()).pathname;
    data.operator_nav = await text(page, 'header nav');
    await axe('20-operator-home');
  }],
  ['operator cannot open another cooperative', async ({ page, data, axe }) => {
    for (const path of [`/koperasi/${OTHER_COOP}`, `/koperasi/${OTHER_COOP}/anggota`, `/koperasi/${OTHER_COOP}/laporan/balance-sheet`, '/dasbor', '/pengguna']) {
      await page.goto(`${BASE}${path}`);
      await heading(page, 'Akses ditolak');
      data[`denied ${path}`] = await text(page, 'main');
    }
    await axe('21-forbidden');
    data.other_name_visible = (await page.content()).includes(OTHER_NAME);
    data.api_status = await page.evaluate(async (id) => (await fetch(`/api/v1/cooperatives/${id}/members`)).status, OTHER_COOP);
    data.own_members = await page.evaluate(async (id) => (await fetch(`/api/v1/cooperatives/${id}/members`)).status, OWN_COOP);
    // A state change without the CSRF header is refused even from our own origin.
    data.no_csrf = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/cooperatives/${id}/close-day`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Test-Probe': 'no-csrf' }, body: '{"business_date":"2025-01-01"}' });
      return [r.status, (await r.json()).error.code];
    }, OWN_COOP);
  }],
  ['operator edits a member of their own cooperative', async ({ page, data }) => {
    await page.goto(`${BASE}/koperasi/${OWN_COOP}/anggota`);
    await page.locator('#member-list a').first().click();
    await page.getByRole('link', { name: 'Ubah data' }).click();
    await page.getByLabel('Alamat').fill('Jl. Kenanga 7, RT 02');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('dd', { hasText: 'Jl. Kenanga 7, RT 02' }).waitFor();
    data.edited_address = await page.locator('dd', { hasText: 'Jl. Kenanga 7' }).innerText();
    await page.getByRole('button', { name: 'Keluar' }).click();
    await heading(page, 'Masuk ke Lumbung');
  }],
  ['viewer sees no buttons that would be refused', async ({ page, data, axe }) => {
    await login(page, VIEWER, PASSWORD);
    await page.goto(`${BASE}/koperasi/${OWN_COOP}/anggota`);
    await page.locator('#member-list').waitFor();
    data.viewer_buttons = await page.locator('main a.button, main button:not(.secondary)').allInnerTexts();
    data.viewer_tabs = await text(page, 'ul.tabs');
    await axe('22-viewer-members');
    await page.goto(`${BASE}/koperasi/${OWN_COOP}/simpanan`);
    await heading(page, 'Akses ditolak');
    data.viewer_savings = await text(page, 'main');
  }],
  ['viewer changes their password', async ({ page, data, axe }) => {
    await page.getByRole('link', { name: 'Ganti kata sandi' }).click();
    await heading(page, 'Ganti kata sandi');
    await page.getByLabel('Kata sandi sekarang').fill('bukan-sandi-saya-1');
    await page.getByLabel('Kata sandi baru').fill('sandi-baru-peninjau-1');
    await page.getByRole('button', { name: 'Ganti kata sandi' }).click();
    await page.locator('[data-field="current_password"] .error', { hasText: /\S/ }).waitFor();
    data.wrong_current = await text(page, '[data-field="current_password"] .error');
    await axe('23-password');
    await page.getByLabel('Kata sandi sekarang').fill(PASSWORD);
    await page.getByRole('button', { name: 'Ganti kata sandi' }).click();
    await heading(page, 'Masuk ke Lumbung');
    data.password_notice = await text(page, 'p.notice');
    await login(page, VIEWER, 'sandi-baru-peninjau-1');
    data.relogin = await text(page, '#who');
  }],
];

run(steps, { width: 800, height: 1280 });            // a 10-inch tablet held upright
