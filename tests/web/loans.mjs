// Loans beyond repayment, in a real browser: an application cancelled; a write-off of a loan
// that is not loss refused at the field (not_loss); a loss loan written off, a recovery larger
// than still owed refused at the amount, then one booked; the portfolio showing written-off
// loans and recoveries apart from the classes.
// Env: LUMBUNG_URL, LUMBUNG_ADMIN_PASSWORD, COOP, APPLIED, CURRENT, LOSS (loan ids).
import { run, login, heading, text, BASE } from './lib.mjs';

const { COOP, APPLIED, CURRENT, LOSS, LUMBUNG_ADMIN_PASSWORD } = process.env;
const loanUrl = (id) => `${BASE}/koperasi/${COOP}/pinjaman/${id}`;
const facts = async (page) => text(page, '.grid .card dl');

const steps = [
  ['an application cancelled', async ({ page, axe, data }) => {
    await login(page, 'admin', LUMBUNG_ADMIN_PASSWORD);
    // An admin's settings form has the registry fields too (the district office keeps them).
    await page.goto(`${BASE}/koperasi/${COOP}`);
    await page.locator('summary', { hasText: 'Ubah pengaturan' }).click();
    data.admin_settings_fields = await page.locator('details', { hasText: 'Ubah pengaturan' }).locator('.field label')
      .evaluateAll((ls) => ls.map((l) => l.innerText.trim()));
    await page.goto(loanUrl(APPLIED));
    await heading(page, `Pinjaman #${APPLIED}`);
    await axe('20-loan-applied');
    await page.getByRole('button', { name: 'Batalkan pengajuan' }).click();
    await page.locator('p.notice', { hasText: 'Pengajuan pinjaman dibatalkan.' }).waitFor();
    data.cancelled_status = await text(page, '#loan-status');
    data.cancelled_facts = await facts(page);
    data.cancelled_forms = await page.locator('#disburse, #cancel, #write-off').count();
  }],
  ['a loan that is not loss cannot be written off', async ({ page, axe, data }) => {
    await page.goto(loanUrl(CURRENT));
    await heading(page, `Pinjaman #${CURRENT}`);
    const w = page.locator('#write-off');
    await w.getByLabel('Tanggal transaksi').fill('01/09/2025');
    await w.getByRole('button', { name: 'Hapus buku' }).click();
    const err = w.locator('.field[data-field="value_date"] .error');
    await err.filter({ hasText: 'macet' }).waitFor();
    data.not_loss = await err.innerText();
    data.not_loss_status = await text(page, '#loan-status');
    await axe('21-loan-not-loss');
  }],
  ['a loss loan written off, then a recovery', async ({ page, axe, data }) => {
    await page.goto(loanUrl(LOSS));
    await heading(page, `Pinjaman #${LOSS}`);
    const w = page.locator('#write-off');
    await w.getByLabel('Tanggal transaksi').fill('01/09/2025');
    await w.getByLabel('Catatan').fill('Macet, anggota pindah');
    await w.getByRole('button', { name: 'Hapus buku' }).click();
    await page.locator('p.notice', { hasText: 'Pinjaman telah dihapus buku.' }).waitFor();
    data.written_off_status = await text(page, '#loan-status');
    data.written_off_facts = await facts(page);
    await axe('22-loan-written-off');
    const r = page.locator('#recovery');
    await r.getByLabel('Jumlah').fill('5.350.000,01');
    await r.getByLabel('Tanggal transaksi').fill('15/09/2025');
    await r.getByRole('button', { name: 'Catat pemulihan' }).click();
    const err = r.locator('.field[data-field="amount"] .error');
    await err.filter({ hasText: 'sisa tagihan' }).waitFor();
    data.too_much = await err.innerText();
    await r.getByLabel('Jumlah').fill('1.000.000');
    await r.getByRole('button', { name: 'Catat pemulihan' }).click();
    await page.locator('#loan-recoveries').waitFor();
    data.recovered_owed = [await text(page, '#loan-written-off-owed'), await text(page, '#loan-recovered'),
      await text(page, '#loan-still-owed')];
    data.loan_recoveries = await page.locator('#loan-recoveries tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.innerText.trim())));
  }],
  ['the portfolio shows them apart from the classes', async ({ page, axe, data }) => {
    await page.goto(`${BASE}/koperasi/${COOP}/pinjaman`);
    await page.locator('#written-off').waitFor();
    const rows = async (sel) => page.locator(`${sel} tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.innerText.trim())));
    data.portfolio_classes = await rows('#portfolio');
    data.written_off_facts_portfolio = await text(page, '#written-off dl');
    data.write_offs = await rows('#write-offs');
    data.recoveries = await rows('#recoveries');
    data.loan_list = await rows('#loan-list');
    await axe('23-loans-written-off');
  }],
];

run(steps);
