// What each role sees on every page of one cooperative, the API's errors at the field in the
// user's language, and a booking made with the keyboard alone. Run at 1280x800 (a 10-inch
// tablet held sideways). Env: LUMBUNG_URL, COOP, MEMBER, LOAN, VIEWER, OPERATOR, SUPERVISOR,
// PASSWORD, TOMORROW (dd/mm/yyyy, the day after the cooperative's today).
import { run, login, heading, text, BASE } from './lib.mjs';

const { COOP, MEMBER, LOAN, VIEWER, OPERATOR, SUPERVISOR, PASSWORD, TOMORROW, NIK, COOP_NAME } = process.env;
const c = `/koperasi/${COOP}`;
const PAGES = [c, `${c}/anggota`, `${c}/anggota/${MEMBER}`, `${c}/anggota/${MEMBER}/mutasi`, `${c}/pinjaman`,
  `${c}/pinjaman/${LOAN}`, `${c}/jurnal`, `${c}/laporan`, `${c}/laporan/health?year=2025`, `${c}/laporan/shu?year=2025`];
// The pages that change something (each refuses a viewer and a supervisor).
const WRITE_PAGE = /\/(baru|ubah|keluar|impor|saldo-awal|tutup-hari|simpanan)$/;

// Every form, every button and every link to a page that changes something, on this page.
async function actions(page) {
  return page.evaluate((re) => ({
    forms: Array.from(document.querySelectorAll('main form'), (f) => (f.querySelector('button[type=submit]') || {}).textContent || '?'),
    buttons: Array.from(document.querySelectorAll('main button:not([type=submit])'), (b) => b.textContent),
    write_links: Array.from(document.querySelectorAll('main a[href]'), (a) => new URL(a.href).pathname).filter((p) => new RegExp(re).test(p)),
    tabs: Array.from(document.querySelectorAll('main ul.tabs a'), (a) => a.textContent),
  }), WRITE_PAGE.source);
}

async function sweep(page, data, who, axe) {
  for (const path of PAGES) {
    await page.goto(`${BASE}${path}`);
    await page.locator('main h1').first().waitFor();
    await page.locator('main p.loading').waitFor({ state: 'detached' });
    data[`${who} ${path}`] = await actions(page);
  }
  await axe(`40-${who}-loan`);
}

const steps = [
  ['viewer: nothing that would be refused, on any page', async ({ page, data, axe }) => {
    await login(page, VIEWER, PASSWORD);
    await sweep(page, data, 'viewer', axe);
  }],
  ['search members by name and by NIK', async ({ page, data }) => {
    const names = async () => page.locator('#member-list tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.cells, (x) => x.innerText.trim()).join(' | ')));
    await page.goto(`${BASE}${c}/anggota`);
    await page.locator('#member-list').waitFor();
    data.members_all = (await names()).length;
    await page.getByLabel('Cari anggota').fill('Ibu Hapus 9702');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(/q=/);
    await page.locator('#member-list').waitFor();
    data.by_name = await names();
    await page.getByLabel('Cari anggota').fill(NIK);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`q=${NIK}`));
    await page.locator('#member-list').waitFor();
    data.by_nik = await names();
  }],
  ['supervisor: only the district\'s own forms', async ({ page, data, axe }) => {
    await page.getByRole('button', { name: 'Keluar' }).click();
    await heading(page, 'Masuk ke Lumbung');
    await login(page, SUPERVISOR, PASSWORD);
    await sweep(page, data, 'supervisor', axe);
    await page.goto(`${BASE}/koperasi`);
    await page.getByLabel('Cari koperasi').fill(COOP_NAME.split(' ').slice(-2).join(' '));
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.waitForURL(/q=/);
    await heading(page, 'Koperasi');
    data.coop_search = await page.locator('main table tbody tr td:first-child').allInnerTexts();
  }],
  ['operator: the API\'s error at its field, in Bahasa Indonesia and in English', async ({ page, context, data, axe }) => {
    await page.getByRole('button', { name: 'Keluar' }).click();
    await heading(page, 'Masuk ke Lumbung');
    await login(page, OPERATOR, PASSWORD);
    await page.goto(`${BASE}${c}/anggota/${MEMBER}`);
    await page.locator('#savings').waitFor();
    data['operator member'] = await actions(page);
    // The API's refusal of "give member access" in the user's language: a second login (as from
    // another tab) replaces the session cookie, so this page's CSRF token no longer matches it.
    await page.locator('#lang').selectOption('en');
    await page.getByRole('button', { name: 'Give member access' }).click();
    const again = await context.request.post(`${BASE}/api/v1/auth/login`, { data: { username: OPERATOR, password: PASSWORD, session: true } });
    if (again.status() !== 200) throw new Error(`second login: ${again.status()}`);
    await page.getByRole('button', { name: 'Yes, make a new code' }).click();
    data.access_error_en = await text(page, '#access-confirm .form-error:not(:empty)');
    data.access_code_shown = await page.locator('#access-code').count();
    await page.locator('#lang').selectOption('id');
    await page.goto(`${BASE}${c}/anggota/${MEMBER}`);
    await page.getByRole('button', { name: 'Beri akses anggota' }).click();
    await page.getByRole('button', { name: 'Batal' }).click();
    data.access_cancelled = [await page.locator('#access-panel').innerText(), await page.evaluate(() => document.activeElement.textContent)];
    await page.goto(`${BASE}${c}/simpanan?member=${MEMBER}`);
    const deposit = page.locator('form', { has: page.getByRole('button', { name: 'Setor', exact: true }) });
    await deposit.getByLabel('Jumlah').fill('10.000');
    await deposit.getByLabel('Tanggal transaksi').fill(TOMORROW);
    await deposit.getByRole('button', { name: 'Setor', exact: true }).click();
    const error = deposit.locator('[data-field="value_date"] .error');
    await error.filter({ hasText: /\S/ }).waitFor();
    data.future_id = await error.innerText();
    data.future_invalid = await deposit.getByLabel('Tanggal transaksi').getAttribute('aria-invalid');
    data.future_focused = await page.evaluate(() => document.activeElement.name);
    await axe('41-field-error');
    await page.locator('#lang').selectOption('en');
    const en = page.locator('form', { has: page.getByRole('button', { name: 'Deposit', exact: true }) });
    await en.getByLabel('Amount').fill('10,000');
    await en.getByLabel('Value date').fill(TOMORROW);
    await en.getByRole('button', { name: 'Deposit', exact: true }).click();
    await en.locator('[data-field="value_date"] .error').filter({ hasText: /\S/ }).waitFor();
    data.future_en = await en.locator('[data-field="value_date"] .error').innerText();
    await page.locator('#lang').selectOption('id');
  }],
  ['operator: a deposit with the keyboard alone', async ({ page, data }) => {
    await page.goto(`${BASE}${c}/simpanan?member=${MEMBER}`);
    await page.getByRole('button', { name: 'Setor', exact: true }).first().waitFor();
    // The router puts the focus on the content after every page change...
    data.focus_at_start = await page.evaluate(() => document.activeElement.id);
    // ...and back up through the header the skip link is the first stop of the page, leading
    // there too without leaving the page.
    for (let i = 0; i < 20 && await page.evaluate(() => document.activeElement.id !== 'skip-link'); i++) await page.keyboard.press('Shift+Tab');
    data.first_tab = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press('Enter');
    data.after_skip = await page.evaluate(() => [document.activeElement.id, location.pathname + location.search]);
    // Tab through the content to the deposit form's amount, noting each field's label.
    const seen = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const el = document.activeElement;
        const label = el.id && document.querySelector(`label[for="${el.id}"]`);
        return { tag: el.tagName, name: el.name || '', label: label ? label.textContent : el.textContent,
          outline: getComputedStyle(el).outlineStyle };
      });
      seen.push(f);
      if (f.name === 'amount') break;
    }
    if (seen[seen.length - 1].name !== 'amount') throw new Error(`never reached the amount: ${JSON.stringify(seen)}`);
    data.tab_labels = seen.filter((f) => f.tag !== 'A').map((f) => f.label);
    data.tab_outlines = [...new Set(seen.map((f) => f.outline))];
    await page.keyboard.type('25.000');
    await page.keyboard.press('Enter');                      // submits the form
    await page.locator('p.notice', { hasText: 'Setoran Rp 25.000,00' }).waitFor();
    data.keyboard_notice = await text(page, 'p.notice');
  }],
];

run(steps, { width: 1280, height: 800 });
