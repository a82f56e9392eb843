// The operator's day in a real browser, in Bahasa Indonesia, asserting what a person sees:
// login -> create a cooperative -> register members (a bad NIK first, with the error at the
// field and the live NIK reading) -> import 2,000 CSV rows with bad ones (progress bar, row
// errors) -> deposits (a double click books once) and a withdrawal -> loan application with
// the live schedule preview (equal to the server's to the sen) -> disbursement -> repayment
// with its allocation -> day close -> dashboard and health page -> logout. axe-core on every
// page; a screenshot of each. Env: LUMBUNG_URL, LUMBUNG_ADMIN_PASSWORD, LUMBUNG_COOP_NAME.
import { run, login, heading, text, BASE } from './lib.mjs';

const ADMIN_PASSWORD = process.env.LUMBUNG_ADMIN_PASSWORD;
const COOP = process.env.LUMBUNG_COOP_NAME || 'Koperasi Wanita Melati';

function nik(birth, female, serial, region) {
  const [y, m, d] = birth.split('-').map(Number);
  return `${region}${String(d + (female ? 40 : 0)).padStart(2, '0')}${String(m).padStart(2, '0')}${String(y % 100).padStart(2, '0')}${String(serial).padStart(4, '0')}`;
}

// 2,000 rows; rows 11, 21 and 1501 of the file (data rows 10, 20, 1500) are bad.
function csv() {
  const lines = ['nik,name,sex,birth_date,address,phone,joined_on'];
  for (let i = 1; i <= 2000; i++) {
    const female = i % 5 !== 0;
    const day = 1 + (i % 28);
    const month = 1 + (i % 12);
    const birth = `19${60 + (i % 40)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    let row = [nik(birth, female, i, '320411'), `"Anggota ${i}, Desa Melati"`, female ? 'female' : 'male', birth, `Jl. Mawar ${i}`, `0812${String(i).padStart(7, '0')}`, '2021-03-01'];
    if (i === 10) row[0] = 'bukan-nik';
    if (i === 20) row[6] = '2021-02-31';
    if (i === 1500) row[2] = 'x';
    lines.push(row.join(','));
  }
  return Buffer.from(lines.join('\r\n') + '\r\n');
}

const rowsText = async (page, sel) => page.locator(`${sel} tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.innerText.trim())));

const steps = [
  ['login', async ({ page, axe, data }) => {
    await page.goto(`${BASE}/`);
    await heading(page, 'Masuk ke Lumbung');
    data.login_lang = await page.evaluate(() => document.documentElement.lang);
    await axe('01-login');
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('Kata sandi', { exact: true }).fill('salah-sekali-123');
    await page.getByRole('button', { name: 'Masuk' }).click();
    data.login_error = await text(page, '.form-error:not(:empty)');
    await login(page, 'admin', ADMIN_PASSWORD);
    await heading(page, 'Dasbor kabupaten');
    data.cookie_http_only = (await page.context().cookies()).map((c) => [c.name, c.httpOnly, c.sameSite]);
    data.script_sees_cookie = await page.evaluate(() => document.cookie);
  }],
  ['create cooperative', async ({ page, axe, data }) => {
    await page.getByRole('link', { name: 'Koperasi', exact: true }).click();
    await heading(page, 'Koperasi');
    await page.getByRole('link', { name: 'Daftarkan koperasi' }).click();
    await heading(page, 'Daftarkan koperasi');
    await axe('02-coop-new');
    await page.getByLabel('Nama', { exact: true }).fill(COOP);
    await page.getByLabel('Jenis', { exact: true }).selectOption({ label: 'Simpan pinjam' });
    await page.getByLabel('Kelompok').fill('perempuan');
    await page.getByLabel('Kecamatan').fill('Cibeunying');
    await page.getByLabel('Tanggal berdiri').fill('10/01/2008');
    await page.getByLabel('Simpanan pokok').fill('100.000');
    await page.getByLabel('Simpanan wajib', { exact: true }).fill('25.000');
    await page.getByRole('button', { name: 'Buat' }).click();
    await heading(page, COOP);
    data.coop_notice = await text(page, 'p.notice');
    data.coop_url = new URL(page.url()).pathname;
    data.coop_facts = await text(page, '.grid');
    await axe('03-coop-detail');
  }],
  ['register a member with a bad NIK, then a good one', async ({ page, axe, data }) => {
    await page.getByRole('link', { name: 'Anggota', exact: true }).click();
    await page.getByRole('link', { name: 'Daftarkan anggota' }).click();
    await heading(page, 'Daftarkan anggota');
    const nikField = page.getByLabel('NIK', { exact: true });
    await nikField.fill('3204103207850001');
    data.nik_bad_day = await text(page, '#nik-feedback');
    await nikField.fill('3204105707850');
    data.nik_partial = await text(page, '#nik-feedback');
    await page.getByLabel('Nama lengkap').fill('Siti <b>Aminah</b>');
    await page.getByLabel('Jenis kelamin').selectOption({ label: 'Perempuan' });
    await page.getByLabel('Tanggal lahir').fill('17/07/1985');
    await page.getByLabel('Tanggal masuk').fill('15/01/2024');
    await page.getByRole('button', { name: 'Daftarkan' }).click();
    const err = page.locator('[data-field="nik"] .error');
    await err.filter({ hasText: /\S/ }).waitFor();
    data.nik_field_error = (await err.innerText()).trim();
    data.nik_invalid = await nikField.getAttribute('aria-invalid');
    await axe('04-member-new-error');
    await nikField.fill('3204105707850001');
    data.nik_ok = await text(page, '#nik-feedback');
    await page.getByRole('button', { name: 'Daftarkan' }).click();
    await heading(page, 'Siti <b>Aminah</b>');
    data.member_notice = await text(page, 'p.notice');
    data.member_url = new URL(page.url()).pathname;
    data.bold_elements = await page.locator('main b').count();
    await axe('05-member');
  }],
  ['import 2,000 rows', async ({ page, axe, data }) => {
    await page.goto(`${BASE}${data.coop_url}/anggota/impor`);
    await heading(page, 'Impor anggota dari CSV');
    await page.evaluate(() => {
      window.__progress = [];
      const bar = document.getElementById('import-progress');
      new MutationObserver(() => window.__progress.push([bar.value, bar.max])).observe(bar, { attributes: true });
      window.__progress.push([bar.value, bar.max]);
    });
    await page.getByLabel('Berkas CSV').setInputFiles({ name: 'anggota.csv', mimeType: 'text/csv', buffer: csv() });
    await page.getByRole('button', { name: 'Impor' }).click();
    await page.locator('#import-summary').waitFor();
    data.import_summary = await text(page, '#import-summary');
    data.import_label = await text(page, '#import-progress-label');
    data.import_progress = await page.evaluate(() => window.__progress);
    data.import_errors = await rowsText(page, '#import-errors');
    await axe('06-import');
  }],
  ['deposits and a withdrawal', async ({ page, axe, data }) => {
    await page.goto(`${BASE}${data.member_url}`);
    await heading(page, 'Siti <b>Aminah</b>');
    await page.getByRole('link', { name: 'Setor / tarik simpanan' }).click();
    await heading(page, 'Setoran dan penarikan simpanan');
    const dep = page.locator('#deposit');
    const notice = page.locator('#savings-result p.notice');
    const deposit = async (kind, amount, dbl) => {
      await dep.getByLabel('Jenis simpanan').selectOption({ label: kind });
      await dep.getByLabel('Jumlah').fill(amount);
      await dep.getByLabel('Tanggal transaksi').fill('05/01/2025');
      const before = await notice.count() ? await notice.innerText() : '';
      if (dbl) await dep.getByRole('button', { name: 'Setor' }).dblclick(); else await dep.getByRole('button', { name: 'Setor' }).click();
      await page.waitForFunction((b) => { const n = document.querySelector('#savings-result p.notice'); return n && n.innerText !== b; }, before);
      await page.locator('#deposit button:not([disabled])').waitFor();
      return (await notice.innerText()).trim();
    };
    data.dep_principal = await deposit('Simpanan pokok', '100.000');
    data.dep_mandatory = await deposit('Simpanan wajib', '25.000');
    data.dep_voluntary = await deposit('Simpanan sukarela', '20.000.000');
    data.dep_double = await deposit('Simpanan sukarela', '1.000.000,00', true);
    const wd = page.locator('#withdrawal');
    await wd.getByLabel('Jenis simpanan').selectOption({ label: 'Simpanan sukarela' });
    await wd.getByLabel('Jumlah').fill('500.000');
    await wd.getByLabel('Tanggal transaksi').fill('06/01/2025');
    await wd.getByRole('button', { name: 'Tarik' }).click();
    await notice.filter({ hasText: 'Penarikan' }).waitFor();
    data.withdrawal = (await notice.innerText()).trim();
    await wd.getByLabel('Jumlah').fill('999.999.999');
    await wd.getByRole('button', { name: 'Tarik' }).click();
    await page.locator('#withdrawal .error:not(:empty), #withdrawal .form-error:not(:empty)').first().waitFor();
    data.overdraw_error = (await page.locator('#withdrawal .error:not(:empty), #withdrawal .form-error:not(:empty)').first().innerText()).trim();
    await axe('07-savings');
    await page.goto(`${BASE}${data.member_url}`);
    await heading(page, 'Siti <b>Aminah</b>');
    data.member_savings = await text(page, '#savings');
  }],
  ['loan application with preview', async ({ page, axe, data }) => {
    await page.getByRole('link', { name: 'Ajukan pinjaman' }).click();
    await heading(page, 'Ajukan pinjaman');
    await page.getByLabel('Pokok', { exact: true }).fill('12.000.000');
    await page.getByLabel('Bunga per tahun (%)').fill('12');
    await page.getByLabel('Jumlah angsuran').fill('12');
    await page.getByLabel('Metode bunga').selectOption({ label: 'anuitas' });
    await page.getByLabel('Tanggal pengajuan').fill('05/01/2025');
    await page.getByLabel('Jatuh tempo pertama').fill('10/02/2025');
    await page.locator('#preview-schedule').waitFor();
    data.preview_facts = await text(page, '#loan-preview dl');
    data.preview_rows = await rowsText(page, '#preview-schedule');
    await axe('08-loan-apply');
    await page.getByRole('button', { name: 'Ajukan pinjaman' }).click();
    await page.locator('#loan-schedule').waitFor();
    data.loan_url = new URL(page.url()).pathname;
    data.server_rows = (await rowsText(page, '#loan-schedule')).map((r) => r.slice(0, 6));
  }],
  ['disbursement', async ({ page, axe, data }) => {
    await page.locator('#disburse').getByLabel('Tanggal transaksi').fill('10/01/2025');
    await page.getByRole('button', { name: 'Cairkan' }).click();
    await page.locator('p.notice', { hasText: 'Pinjaman telah dicairkan' }).waitFor();
    data.loan_status = await text(page, '#loan-status');
    await axe('09-loan-active');
  }],
  ['repayment', async ({ page, data }) => {
    const repay = page.locator('#repay');
    await repay.getByLabel('Jumlah').fill('1.100.000');
    await repay.getByLabel('Tanggal transaksi').fill('20/02/2025');
    await repay.getByRole('button', { name: 'Bayar angsuran' }).click();
    await page.locator('#allocation').waitFor();
    data.allocation = await text(page, '#allocation');
    data.outstanding = await text(page, '#loan-outstanding');
  }],
  ['day close', async ({ page, axe, data }) => {
    await page.getByRole('link', { name: 'Tutup hari' }).click();
    await heading(page, 'Tutup hari');
    await page.getByLabel('Tanggal yang ditutup').fill('11/06/2025');
    await page.getByRole('button', { name: 'Tutup hari' }).click();
    await page.locator('#close-result .notice').waitFor();
    data.close = await text(page, '#close-result');
    await axe('10-close-day');
    await page.getByRole('link', { name: 'Pinjaman', exact: true }).click();
    await page.locator('#portfolio').waitFor();
    data.portfolio = await rowsText(page, '#portfolio');
    await axe('10b-loans');
  }],
  ['statement with print view', async ({ page, axe, data }) => {
    await page.goto(`${BASE}${data.member_url}/mutasi`);
    await page.locator('#statement').waitFor();
    data.statement_rows = await rowsText(page, '#statement');
    await page.emulateMedia({ media: 'print' });
    data.print_header_visible = await page.locator('header#top').isVisible();
    await page.emulateMedia({ media: 'screen' });
    await axe('11-statement');
  }],
  ['reports and health', async ({ page, axe, data }) => {
    await page.goto(`${BASE}${data.coop_url}/laporan/balance-sheet`);
    await heading(page, 'Neraca');
    data.balance_sheet = await text(page, '#report dl');
    data.csv_link = await page.getByRole('link', { name: 'Unduh CSV' }).getAttribute('href');
    await axe('12-balance-sheet');
    for (const [report, title] of [['income-statement', 'Laporan laba rugi (SHU)'], ['trial-balance', 'Neraca saldo'], ['loan-portfolio', 'Portofolio pinjaman'], ['shu', 'Pembagian SHU']]) {
      await page.goto(`${BASE}${data.coop_url}/laporan/${report}?year=2025`);
      await heading(page, title);
      data[`report ${report}`] = await text(page, '#report');
      await axe(`12-${report}`);
    }
    await page.goto(`${BASE}${data.coop_url}/laporan/health?year=2025`);
    await heading(page, 'Kesehatan koperasi');
    data.health_score = await text(page, '#health-score');
    data.health_rating = await text(page, '#health-rating');
    data.health_first = (await rowsText(page, '#health-components'))[0];
    data.health_api = await page.evaluate(async (u) => (await fetch(`/api/v1/cooperatives/${u.split('/')[2]}/reports/health?year=2025`)).json(), data.coop_url);
    await axe('13-health');
  }],
  ['downloads: every file link answers its file', async ({ page, axe, data }) => {
    // Each page's download links, fetched from the page itself (same origin, the session
    // cookie): status and content type of every one, with the label a person sees.
    const links = async () => page.evaluate(async () => Promise.all([...document.querySelectorAll('a[download]')].map(async (a) => {
      const r = await fetch(a.getAttribute('href'));
      const body = new Uint8Array(await r.arrayBuffer());
      return { label: a.textContent, href: a.getAttribute('href'), format: a.dataset.format || '', status: r.status,
        type: (r.headers.get('content-type') || '').split(';')[0], head: String.fromCharCode(...body.slice(0, 4)),
        same_origin: new URL(a.href).origin === location.origin };
    })));
    data.downloads = {};
    await page.goto(`${BASE}${data.coop_url}/laporan/balance-sheet`);
    await heading(page, 'Neraca');
    data.downloads.report = await links();
    await page.goto(`${BASE}${data.coop_url}/laporan/loan-portfolio?year=2025`);
    await heading(page, 'Portofolio pinjaman');
    data.downloads.portfolio = await links();
    await page.goto(`${BASE}${data.member_url}`);
    await page.locator('#member-loans').waitFor();
    data.downloads.member = await links();
    await axe('13b-member-downloads');
    await page.goto(`${BASE}${data.member_url}/mutasi`);
    await page.locator('#statement').waitFor();
    data.downloads.statement = await links();
    await page.goto(`${BASE}${data.coop_url}/anggota/impor`);
    await heading(page, 'Impor anggota dari CSV');
    data.downloads.import = await links();
  }],
  ['dashboard', async ({ page, axe, data }) => {
    await page.getByRole('link', { name: 'Dasbor' }).click();
    await heading(page, 'Dasbor kabupaten');
    data.dashboard = await text(page, '#dashboard-figures');
    data.attention = await text(page, '#attention');
    data.attention_links = await page.locator('#attention a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    data.charts = await page.locator('figure.chart svg[role="img"]').count();
    data.district_chart = await page.locator('figure.chart', { hasText: 'Pinjaman beredar dan NPL per kecamatan' }).locator('svg text').allTextContents();
    data.rating_chart = await page.locator('figure.chart', { hasText: 'Koperasi menurut predikat kesehatan' }).locator('svg text').allTextContents();
    data.overflow_1366 = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    await axe('14-dashboard');
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.goto(`${BASE}${data.member_url}`);
    await heading(page, 'Siti <b>Aminah</b>');
    data.overflow_tablet = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    await page.screenshot({ path: `${process.env.LUMBUNG_ARTIFACTS || 'build/web-artifacts'}/15-member-tablet.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
  }],
  ['journal: a manual entry and its reversal', async ({ page, axe, data }) => {
    await page.goto(`${BASE}${data.coop_url}/jurnal`);
    await heading(page, 'Jurnal umum');
    const entry = page.locator('#journal-new');
    await entry.getByText('Catat jurnal manual').click();
    await entry.getByLabel('Tanggal transaksi').fill('12/06/2025');
    await entry.getByLabel('Uraian', { exact: true }).fill('Beli alat tulis');
    await entry.getByLabel('Akun baris 1').selectOption({ label: '5-202 Beban operasional' });
    await entry.locator('[data-field="line0.debit"] input').fill('50.000');
    await entry.getByLabel('Akun baris 2').selectOption({ label: '1-101 Kas' });
    await entry.locator('[data-field="line1.credit"] input').fill('50.000');
    await entry.getByRole('button', { name: 'Catat jurnal' }).click();
    await page.locator('p.notice', { hasText: 'Jurnal telah dicatat.' }).waitFor();
    data.journal_first = (await rowsText(page, '#journal'))[0].slice(0, 5);
    await axe('16-journal');
    await page.locator('#journal tbody tr').first().locator('summary', { hasText: 'Balik jurnal' }).click();
    await page.locator('#journal tbody tr').first().getByRole('button', { name: 'Balik jurnal' }).click();
    await page.locator('p.notice', { hasText: 'Jurnal pembalik telah dicatat.' }).waitFor();
    data.journal_reversal = (await rowsText(page, '#journal'))[0].slice(2, 7);
  }],
  ['a member leaves, the settlement shown first', async ({ page, axe, data }) => {
    await page.goto(`${BASE}${data.member_url}`);
    await page.getByRole('link', { name: 'Keluar dari keanggotaan' }).click();
    await page.locator('#settlement').waitFor();
    data.settlement = await text(page, '#settlement dl');
    await axe('17-member-exit');
    await page.getByLabel('Alasan keluar').selectOption({ label: 'mengundurkan diri' });
    await page.getByRole('button', { name: 'Konfirmasi keluar' }).click();
    await page.locator('#exit-result .notice').waitFor();
    data.exit_result = await text(page, '#exit-result .notice');
    await page.getByRole('link', { name: 'Kembali ke halaman anggota' }).click();
    await page.locator('#savings').waitFor();
    data.exited_status = await text(page, '.card dl');
  }],
  ['users: create an operator, then deactivate them', async ({ page, axe, data }) => {
    await page.getByRole('link', { name: 'Pengguna' }).click();
    await heading(page, 'Pengguna');
    await page.locator('summary', { hasText: 'Tambah pengguna' }).click();
    const add = page.locator('details', { hasText: 'Tambah pengguna' });
    await add.getByLabel('Nama pengguna').fill('operator.melati');
    await add.getByLabel('Nama lengkap').fill('Ibu Wati');
    await add.getByLabel('Kata sandi').fill('kata-sandi-melati-1');
    await add.getByLabel('Peran').selectOption({ label: 'operator' });
    await add.getByLabel('ID koperasi').fill(data.coop_url.split('/')[2]);
    await add.getByRole('button', { name: 'Buat' }).click();
    await page.locator('p.notice', { hasText: 'Pengguna telah dibuat.' }).waitFor();
    const row = page.locator('#user-list tbody tr', { hasText: 'operator.melati' });
    data.user_row = await row.evaluate((tr) => Array.from(tr.cells, (c) => c.innerText.trim().split('\n')[0]).slice(0, 5));
    await axe('18-users');
    await row.getByRole('button', { name: 'Nonaktifkan' }).click();
    await page.locator('#user-list tbody tr', { hasText: 'operator.melati' }).getByRole('button', { name: 'Aktifkan', exact: true }).waitFor();
    data.user_after = await page.locator('#user-list tbody tr', { hasText: 'operator.melati' }).evaluate((tr) => tr.cells[4].innerText.trim());
    await page.getByRole('link', { name: 'Jejak audit' }).click();
    await heading(page, 'Jejak audit');
    data.audit_first = (await rowsText(page, '#audit-list'))[0].slice(1);
    await axe('19-audit');
  }],
  ['keyboard and English', async ({ page, data }) => {
    await page.goto(`${BASE}/koperasi`);
    await heading(page, 'Koperasi');
    await page.keyboard.press('Tab');
    data.first_tab = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
    data.focus_outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    await page.locator('#lang').selectOption('en');
    await heading(page, 'Cooperatives');
    data.english_nav = await text(page, 'header nav');
    await page.locator('#lang').selectOption('id');
    await heading(page, 'Koperasi');
  }],
  ['logout', async ({ page, data }) => {
    await page.getByRole('button', { name: 'Keluar' }).click();
    await heading(page, 'Masuk ke Lumbung');
    await page.goto(`${BASE}${data.coop_url}`);
    await heading(page, 'Masuk ke Lumbung');
    data.after_logout = new URL(page.url()).pathname;
  }],
];

// Every main page at a 1366x768 laptop and a 10-inch tablet held sideways (1280x800).
run(steps, { width: 1366, height: 768 }, { alsoAt: [{ width: 1280, height: 800 }] });
