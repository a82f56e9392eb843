// The members' own pages in a real browser at 360x740 (a small phone): an operator gives a
// member access with the button on the operator's member page (the one-time code read off the
// screen, and its printed slip), the member activates it with a PIN, logs out and in again
// with the PIN, and reads their savings, loans with the schedule, the statement (and its print view), their SHU share and the annual meeting's
// reports — every figure as shown on screen is handed back for the pytest to compare to the
// sen. Changing an id in a URL or an API call reaches nobody else; a member who types a wrong
// PIN too often is locked out. Env: LUMBUNG_URL, COOP, OPERATOR, PASSWORD, NUMBER, OTHER_ID,
// OTHER_NAME, LOCKED_NUMBER, LOCKED_PIN, PEOPLE (JSON: every member's NIK and name), CLOSED_NAME
// (a cooperative that did not opt in to a public profile).
import { run, login, heading, text, BASE } from './lib.mjs';

const PEOPLE = JSON.parse(process.env.PEOPLE || '[]');
const { CLOSED_NAME } = process.env;
const { COOP, OPERATOR, PASSWORD, NUMBER, ME_ID, OTHER_ID, OTHER_NAME, LOCKED_NUMBER, LOCKED_PIN } = process.env;
const PIN = '482615';
const all = async (page, sel) => (await page.locator(sel).allInnerTexts()).map((s) => s.trim());

async function memberLogin(page, number, pin) {
  await page.goto(`${BASE}/anggota/masuk?koperasi=${COOP}`);
  await page.getByLabel('Nomor anggota').fill(String(number));
  await page.getByLabel('PIN (6 angka)').fill(pin);
  await page.getByRole('button', { name: 'Masuk', exact: true }).click();
}

const steps = [
  ['operator gives the member access with the button on the member\'s page', async ({ page, data, axe }) => {
    await login(page, OPERATOR, PASSWORD);
    await page.goto(`${BASE}/koperasi/${COOP}/anggota/${ME_ID}`);
    await page.locator('#savings').waitFor();
    await page.getByRole('button', { name: 'Beri akses anggota' }).click();
    data.access_confirm = await text(page, '#access-confirm p');
    await axe('member-00-access-confirm');
    await page.getByRole('button', { name: 'Ya, buat kode baru' }).click();
    // The code is read off the screen, as the operator reads it out.
    data.code = await text(page, '#access-code');
    data.access_title = await text(page, '#access-result h2');
    data.access_facts = await all(page, '#access-result dl > *');
    data.access_once = await text(page, '#access-once');
    data.access_focused = await page.evaluate(() => document.activeElement.id);
    await axe('member-00-access-code');
    // The print button prints (counted, not opened: headless Chromium has no print dialog)...
    await page.evaluate(() => { window.lumbungPrints = 0; window.print = () => { window.lumbungPrints += 1; }; });
    await page.getByRole('button', { name: 'Cetak slip' }).click();
    data.print_calls = await page.evaluate(() => window.lumbungPrints);
    data.slip_on_screen = await page.locator('#access-slip').isVisible();
    // ...and the page printed is the slip alone, in Bahasa Indonesia.
    await page.emulateMedia({ media: 'print' });
    data.slip = await all(page, '#access-slip > h2, #access-slip > p, #access-slip dl > *');
    data.print_visible = await page.evaluate(() => ['header#top', 'main h1', '#access-result', '#savings']
      .map((s) => document.querySelector(s).checkVisibility()));
    await page.screenshot({ path: `${process.env.LUMBUNG_ARTIFACTS}/member-00-access-slip-print.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: 'Keluar' }).click();
    await heading(page, 'Masuk ke Lumbung');
  }],
  ['member activates with the code and sets a PIN', async ({ page, data, axe }) => {
    await page.goto(`${BASE}/anggota/aktivasi?koperasi=${COOP}`);
    await heading(page, 'Aktivasi akun anggota');
    await axe('member-01-activate');
    await page.getByLabel('Nomor anggota').fill(NUMBER);
    await page.getByLabel('Kode aktivasi').fill(data.code);
    await page.getByLabel('PIN (6 angka)').fill(PIN);
    await page.getByLabel('Ulangi PIN').fill('482616');
    await page.getByRole('button', { name: 'Aktifkan dan simpan PIN' }).click();
    data.pin_mismatch = await text(page, 'form .field .error:not(:empty)');
    await page.getByLabel('Ulangi PIN').fill(PIN);
    await page.getByRole('button', { name: 'Aktifkan dan simpan PIN' }).click();
    await heading(page, 'Simpanan saya');
    data.activated_path = new URL(page.url()).pathname;
  }],
  ['member logs out and in with the PIN', async ({ page, data, axe }) => {
    await page.getByRole('button', { name: 'Keluar' }).click();
    await heading(page, 'Masuk anggota');
    await axe('member-02-login');
    await memberLogin(page, NUMBER, PIN);
    await heading(page, 'Simpanan saya');
    data.who = await text(page, '#who');
  }],
  ['home shows every balance and the arrears', async ({ page, data, axe }) => {
    data.savings_total = await text(page, '#savings-total');
    data.mandatory_arrears = await text(page, '#mandatory-arrears');
    data.arrears_periods = await text(page, '#arrears-periods');
    data.savings_rows = await all(page, '#savings tbody tr');
    data.home_asof = await text(page, 'main .asof');
    data.title = await page.title();
    data.description = await page.locator('meta[name="description"]').getAttribute('content');
    await axe('member-03-home');
  }],
  ['loans with schedule, overdue and payoff', async ({ page, data, axe }) => {
    await page.getByRole('link', { name: 'Pinjaman' }).click();
    await heading(page, 'Pinjaman saya');
    data.loan_outstanding = await text(page, 'main .outstanding');
    data.loan_arrears = await text(page, 'main .arrears');
    data.loan_payoff = await text(page, 'main .payoff');
    data.loan_facts = await text(page, 'main article dl');
    data.schedule = await all(page, 'main table.schedule tbody tr');
    data.overdue_rows = await page.locator('main table.schedule tbody tr.overdue').count();
    await axe('member-04-loans');
  }],
  ['statement of a period and its print view', async ({ page, data, axe }) => {
    await page.getByRole('link', { name: 'Mutasi' }).click();
    await heading(page, 'Mutasi simpanan');
    await page.getByLabel('Dari tanggal').fill('01/02/2025');
    await page.getByLabel('Sampai tanggal').fill('31/03/2025');
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.locator('#period', { hasText: '01/02/2025' }).waitFor();
    data.statement_period = await text(page, '#period');
    data.statement_opening = await text(page, '#opening');
    data.statement_closing = await text(page, '#closing');
    data.statement_lines = await all(page, '#statement-lines tbody tr');
    data.pdf_href = await page.locator('#pdf').getAttribute('href');
    data.pdf_status = await page.evaluate(async (href) => { const r = await fetch(href); return [r.status, r.headers.get('Content-Type')]; }, data.pdf_href);
    await axe('member-05-statement');
    await page.emulateMedia({ media: 'print' });
    data.print_header_visible = await page.locator('header#top').isVisible();
    data.print_form_visible = await page.locator('main form').isVisible();
    data.print_head = await text(page, 'main .print-only');
    await page.screenshot({ path: `${process.env.LUMBUNG_ARTIFACTS}/member-06-statement-print.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
  }],
  ['SHU share and how it was computed', async ({ page, data, axe }) => {
    await page.getByRole('link', { name: 'SHU' }).click();
    await heading(page, 'SHU saya');
    data.shu_default_year = await page.locator('#year').inputValue();
    await page.getByLabel('Tahun buku').selectOption('2025');
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.locator('main p', { hasText: 'Tahun buku 2025 (01/01/2025 – 31/12/2025)' }).waitFor();
    data.shu_year = await page.locator('#year').inputValue();
    data.shu_total = await text(page, '#shu-total');
    data.capital_share = await text(page, '#capital-share');
    data.usage_share = await text(page, '#usage-share');
    data.shu_how = await text(page, '#shu-how');
    await axe('member-07-shu');
  }],
  ['annual meeting and its reports', async ({ page, data, axe }) => {
    await page.getByRole('link', { name: 'RAT' }).click();
    await heading(page, 'Rapat anggota tahunan');
    await page.locator('#rat-reports').waitFor();
    data.rat = await text(page, 'main article');
    data.bs_assets = await text(page, '#bs-assets');
    data.is_surplus = await text(page, '#is-surplus');
    data.allocation = await all(page, '#shu-allocation tbody tr');
    data.rat_html_has_other = (await page.content()).includes(OTHER_NAME);
    await axe('member-08-rat');
  }],
  ['English switch', async ({ page, data }) => {
    await page.getByLabel('Bahasa').selectOption('en');
    await heading(page, 'Annual meetings');
    await page.getByRole('link', { name: 'Savings' }).click();
    await heading(page, 'My savings');
    data.en_total = await text(page, '#savings-total');
    await page.getByLabel('Language').selectOption('id');
    await heading(page, 'Simpanan saya');
  }],
  ['another member cannot be reached by changing an id', async ({ page, data }) => {
    data.api_other = await page.evaluate(async ([coop, other]) => {
      const out = [];
      for (const p of [`/api/v1/member/overview?member_id=${other}`, `/api/v1/member/statement?member_id=${other}`,
        `/api/v1/cooperatives/${coop}/members/${other}`, `/api/v1/cooperatives/${coop}/members/${other}/statement`]) {
        const r = await fetch(p);
        const j = await r.json();
        out.push([r.status, j.error && j.error.code, j.error && j.error.field]);
      }
      return out;
    }, [COOP, OTHER_ID]);
    await page.goto(`${BASE}/anggota?member_id=${OTHER_ID}`);
    await heading(page, 'Simpanan saya');
    data.url_other_total = await text(page, '#savings-total');
    await page.goto(`${BASE}/koperasi/${COOP}/anggota/${OTHER_ID}`);
    await page.locator('main h1').first().waitFor();
    data.operator_page_other = await text(page, 'main h1');
    data.other_name_visible = (await page.content()).includes(OTHER_NAME);
    await page.goto(`${BASE}/anggota`);
    await heading(page, 'Simpanan saya');
    await page.getByRole('button', { name: 'Keluar' }).click();
    await heading(page, 'Masuk anggota');
  }],
  ['a member who types a wrong PIN too often is locked', async ({ page, data, axe }) => {
    data.wrong = [];
    for (let i = 0; i < 5; i++) {
      await memberLogin(page, LOCKED_NUMBER, '000000');
      await page.locator('form .form-error:not(:empty)').waitFor();
      data.wrong.push(await text(page, 'form .form-error'));
    }
    await memberLogin(page, LOCKED_NUMBER, LOCKED_PIN);
    await page.locator('form .form-error:not(:empty)').waitFor();
    data.locked_right_pin = await text(page, 'form .form-error');
    data.locked_path = new URL(page.url()).pathname;
    await axe('member-09-locked');
  }],
  ['the public directory and profile show no personal data', async ({ page, data, axe }) => {
    await page.goto(`${BASE}/publik/koperasi`);
    await page.locator('h1', { hasText: 'Direktori Koperasi' }).waitFor();
    data.directory_links = await all(page, 'main li a, body > ul li a');
    const directory = await page.content();
    await axe('member-10-directory');
    await page.getByRole('link', { name: 'Koperasi Wanita Sari' }).click();
    await page.locator('h1', { hasText: 'Koperasi Wanita Sari' }).waitFor();
    data.profile_title = await page.title();
    data.profile = await text(page, 'dl');
    const profile = await page.content();
    await axe('member-11-profile');
    data.personal_data = PEOPLE.filter((p) => [directory, profile].some((html) => html.includes(p.nik) || html.includes(p.name))).map((p) => p.name);
    data.closed_listed = directory.includes(CLOSED_NAME);
    data.public_scripts = await page.locator('script').count();
  }],
];

run(steps, { width: 360, height: 740 });
