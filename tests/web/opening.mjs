// A cooperative's first entry from its paper books, in a real browser: the journal of empty
// books offers the opening balances; a savings account among the lines is refused at that
// line's account (savings_account); account lines and each member's savings post as one
// balanced entry; afterwards the page says the books are no longer empty and offers no form.
// Env: LUMBUNG_URL, LUMBUNG_ADMIN_PASSWORD, COOP, NAME1, NAME2 (members' names).
import { run, login, heading, text, BASE } from './lib.mjs';

const { COOP, NAME1, NAME2, LUMBUNG_ADMIN_PASSWORD } = process.env;
const at = (page, name) => page.locator(`#opening .field[data-field="${name}"]`);

const steps = [
  ['the journal of empty books offers the opening', async ({ page, axe, data }) => {
    await login(page, 'admin', LUMBUNG_ADMIN_PASSWORD);
    await page.goto(`${BASE}/koperasi/${COOP}/jurnal`);
    await heading(page, 'Jurnal umum');
    await page.getByRole('link', { name: 'Isi saldo awal' }).click();
    await heading(page, 'Saldo awal');
    await axe('30-opening');
  }],
  ['a savings account among the lines is refused at its row', async ({ page, data }) => {
    await page.getByLabel('Tanggal transaksi').fill('30/11/2025');
    await at(page, 'lines[0].account').locator('select').selectOption('1-101');
    await at(page, 'lines[0].debit').locator('input').fill('5.000.000');
    await at(page, 'lines[2].account').locator('select').selectOption('2-101');   // row 3: a gap before it
    await at(page, 'lines[2].credit').locator('input').fill('2.000.000');
    for (const [name, kind, amount] of [[NAME1, 'Simpanan pokok', '100.000'], [NAME1, 'Simpanan wajib', '150.000'],
      [NAME1, 'Simpanan sukarela', '1.250.000'], [NAME2, 'Simpanan pokok', '100.000'],
      [NAME2, 'Simpanan wajib', '150.000'], [NAME2, 'Simpanan sukarela', '1.250.000']]) {
      await page.getByLabel(`${kind}: ${name}`, { exact: true }).fill(amount);
    }
    await page.getByRole('button', { name: 'Bukukan saldo awal' }).click();
    const err = at(page, 'lines[2].account').locator('.error');
    await err.filter({ hasText: 'simpanan anggota' }).waitFor();
    data.savings_account = await err.innerText();
  }],
  ['the opening posted as one balanced entry', async ({ page, axe, data }) => {
    await at(page, 'lines[2].account').locator('select').selectOption('3-301');
    await page.getByRole('button', { name: 'Bukukan saldo awal' }).click();
    await page.locator('p.notice', { hasText: 'Saldo awal telah dibukukan.' }).waitFor();
    data.journal_first = await page.locator('#journal tbody tr').first().evaluate((tr) => Array.from(tr.cells, (c) => c.innerText.trim()).slice(0, 5));
    data.start_links = await page.getByRole('link', { name: 'Isi saldo awal' }).count();
    await axe('31-opening-posted');
  }],
  ['afterwards the page offers no form', async ({ page, data }) => {
    await page.goto(`${BASE}/koperasi/${COOP}/saldo-awal`);
    data.closed = await text(page, '#opening-closed');
    data.forms = await page.locator('#opening').count();
  }],
];

run(steps);
