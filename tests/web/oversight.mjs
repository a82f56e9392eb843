// The district's records in a real browser: an operator records the board and a RAT; a
// supervisor records a supervision visit with a recommendation and closes it, answers the
// management questionnaire (the health rating then counts aspect 3) and records a training.
// Env: LUMBUNG_URL, COOP, OPERATOR, SUPERVISOR, PASSWORD.
import { run, login, heading, text, BASE } from './lib.mjs';

const { COOP, MEMBER, OPERATOR, SUPERVISOR, PASSWORD } = process.env;

const steps = [
  ['operator records the board and a RAT', async ({ page, data, axe }) => {
    await login(page, OPERATOR, PASSWORD);
    await page.goto(`${BASE}/koperasi/${COOP}`);
    await page.locator('#board').waitFor();
    await page.locator('summary', { hasText: 'Ubah pengurus' }).click();
    await page.getByLabel('Ketua').fill('Ibu Ani');
    await page.getByLabel('Bendahara').fill('Ibu Rina');
    await page.getByLabel('Pengawas', { exact: true }).fill('Pak Dedi, Ibu Sri');
    await page.getByRole('button', { name: 'Simpan' }).first().click();
    await page.locator('p.notice', { hasText: 'Tersimpan.' }).waitFor();
    data.board = await text(page, '#board dl');
    await page.locator('summary', { hasText: 'Catat RAT' }).click();
    await page.getByLabel('Tanggal rapat').fill('15/03/2025');
    await page.getByLabel('Tahun buku').fill('2024');
    await page.getByLabel('Hadir').fill('42');
    await page.getByLabel('Kuorum tercapai').check();
    await page.getByLabel('Laporan keuangan disahkan').check();
    await page.locator('details', { hasText: 'Catat RAT' }).getByRole('button', { name: 'Simpan' }).click();
    await page.locator('#meetings').waitFor();
    data.meetings = await page.locator('#meetings tbody tr').first().evaluate((tr) => Array.from(tr.cells, (c) => c.innerText.trim()));
    await page.locator('summary', { hasText: 'Ubah pengaturan' }).click();
    // An operator's settings form: day-to-day fields and the time zone, no registry field,
    // nothing the annual meeting decides (a note says how those change).
    const settings = page.locator('details', { hasText: 'Ubah pengaturan' });
    data.operator_settings_fields = await settings.locator('.field label').evaluateAll((ls) => ls.map((l) => l.innerText.trim()));
    data.operator_settings_note = await settings.locator('#settings-rat-note').innerText();
    data.time_zone_before = await text(page, '#time-zone');
    await page.getByLabel('Bunga pinjaman per tahun (%)').fill('18');
    await settings.getByLabel('Zona waktu').selectOption({ label: 'Asia/Makassar (WITA)' });
    await settings.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('dd', { hasText: '18,00 %' }).waitFor();
    data.rate_after = await page.locator('dd', { hasText: '18,00 %' }).innerText();
    data.time_zone_after = await text(page, '#time-zone');
    data.settings_at_rat = await text(page, '#settings');
    await page.goto(`${BASE}/koperasi/${COOP}/simpanan?member=${MEMBER}`);
    await heading(page, 'Setoran dan penarikan simpanan');
    const td = page.locator('#time-deposit');
    await td.getByLabel('Jumlah').fill('1.000.000');
    await td.getByLabel('Jangka waktu (bulan)').fill('12');
    await td.getByLabel('Bunga per tahun (%)').fill('6');
    await td.getByLabel('Tanggal transaksi').fill('07/01/2025');
    await td.getByRole('button', { name: 'Buka simpanan berjangka' }).click();
    await page.locator('#savings-result p.notice').waitFor();
    data.time_deposit = await text(page, '#savings-result p.notice');
    await page.goto(`${BASE}/koperasi/${COOP}/anggota/${MEMBER}`);
    await page.locator('#time-deposits').waitFor();
    data.time_deposit_row = await page.locator('#time-deposits tbody tr').first().evaluate((tr) => Array.from(tr.cells, (c) => c.innerText.trim().split('\n')[0]));
    await page.goto(`${BASE}/koperasi/${COOP}`);
    await page.locator('#board').waitFor();
    data.operator_sees_supervision_form = await page.locator('summary', { hasText: 'Catat kunjungan pengawasan' }).count();
    await axe('30-coop-operator');
    await page.getByRole('button', { name: 'Keluar' }).click();
    await heading(page, 'Masuk ke Lumbung');
  }],
  ['supervisor records a visit and closes its recommendation', async ({ page, data, axe }) => {
    await login(page, SUPERVISOR, PASSWORD);
    await page.goto(`${BASE}/koperasi/${COOP}`);
    await page.locator('#board').waitFor();
    data.supervisor_sees_board_form = await page.locator('summary', { hasText: 'Ubah pengurus' }).count();
    await page.locator('summary', { hasText: 'Catat kunjungan pengawasan' }).click();
    await page.getByLabel('Tanggal kunjungan').fill('02/06/2025');
    await page.getByLabel('Temuan').fill('Buku kas belum diperbarui sejak Mei.');
    await page.getByLabel('Rekomendasi', { exact: true }).fill('Perbarui buku kas setiap hari');
    await page.getByLabel('Batas waktu').fill('30/06/2025');
    await page.getByRole('button', { name: 'Catat kunjungan pengawasan' }).click();
    await page.locator('#recommendations').waitFor();
    data.recommendation_open = await page.locator('#recommendations tbody tr').first().evaluate((tr) => Array.from(tr.cells, (c) => c.innerText.trim().split('\n')[0]));
    await page.locator('#recommendations').getByLabel('Selesai pada').fill('25/06/2025');
    await page.getByRole('button', { name: 'Tandai selesai' }).click();
    // the page was already showing "Tersimpan." from the visit: wait for the closed date itself
    await page.locator('#recommendations tbody tr td', { hasText: '25/06/2025' }).waitFor();
    data.recommendation_done = await page.locator('#recommendations tbody tr').first().evaluate((tr) => Array.from(tr.cells, (c) => c.innerText.trim()));
    await axe('31-supervision');
  }],
  ['supervisor answers the management questionnaire', async ({ page, data, axe }) => {
    await page.goto(`${BASE}/koperasi/${COOP}/laporan/health?year=2025`);
    await heading(page, 'Kesehatan koperasi');
    await page.locator('summary', { hasText: 'Kuesioner manajemen tahun 2025' }).click();
    const m = page.locator('#management');
    // The regulation's questions, part by part, each with the evidence to check.
    data.management_parts = await m.locator('fieldset > legend').allInnerTexts();
    data.management_notes = await m.locator('fieldset > p.hint').allInnerTexts();
    data.management_counts = await m.locator('fieldset').evaluateAll((fs) => fs.map((f) => f.querySelectorAll('input[type=checkbox]').length));
    data.management_first = await m.locator('fieldset').first().locator('.field').first().innerText();
    data.management_last = await m.locator('fieldset').last().locator('.field').last().locator('label').innerText();
    data.management_recorded_before = await m.locator('#management-recorded').count();
    const general = m.locator('fieldset[data-group="general"] input[type=checkbox]');
    const institution = m.locator('fieldset[data-group="institution"] input[type=checkbox]');
    for (let i = 0; i < 12; i++) await general.nth(i).check();
    for (let i = 0; i < 6; i++) await institution.nth(i).check();
    // by its wording: the question of the SOP is a label of its own
    data.sop_checked = await m.getByLabel('Apakah KSP/USP Koperasi mempunyai Standar Operasional Manajemen (SOM) dan Standar Operasional Prosedur (SOP)?').isChecked();
    await m.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('p.notice', { hasText: 'Tersimpan.' }).waitFor();
    const rows = await page.locator('#health-components tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.innerText.trim())));
    data.management_row = rows.find((r) => r[0] === '3');
    // the answers on record come back ticked
    await page.locator('summary', { hasText: 'Kuesioner manajemen tahun 2025' }).click();
    data.management_recorded = await text(page, '#management-recorded');
    data.management_ticked = await page.locator('#management input[type=checkbox]').evaluateAll((xs) => xs.map((x) => x.checked).filter(Boolean).length);
    data.capital_first_ticked = await page.locator('#management fieldset[data-group="capital"] input[type=checkbox]').first().isChecked();
    await axe('32-health-management');
    // every component's definition from the catalogues, in Bahasa Indonesia and in English
    const component = (code) => page.locator('#health-components tbody tr', { has: page.locator('td:first-child', { hasText: new RegExp(`^${code}$`) }) }).locator('td').nth(1);
    data.def_2b_id = await component('2b').innerText();
    data.def_7b_id = await component('7b').innerText();
    await page.locator('#lang').selectOption('en');
    await heading(page, 'Health rating');
    data.def_2b_en = await component('2b').innerText();
    data.def_7b_en = await component('7b').innerText();
    await page.locator('summary', { hasText: 'Management questionnaire 2025' }).click();
    data.management_parts_en = await page.locator('#management fieldset > legend').allInnerTexts();
    data.management_first_en = await page.locator('#management fieldset').first().locator('.field label').first().innerText();
    await page.locator('#lang').selectOption('id');
    await heading(page, 'Kesehatan koperasi');
  }],
  ['supervisor records a training', async ({ page, data, axe }) => {
    await page.getByRole('link', { name: 'Pelatihan' }).click();
    await heading(page, 'Pelatihan');
    await page.locator('summary', { hasText: 'Catat pelatihan' }).click();
    await page.getByLabel('Judul pelatihan').fill('Pembukuan koperasi simpan pinjam');
    await page.getByLabel('Mulai').fill('10/07/2025');
    await page.getByLabel('Selesai', { exact: true }).fill('12/07/2025');
    await page.getByLabel('Tempat').fill('Balai Desa Cibeunying');
    await page.getByLabel('Peserta').fill(`Ibu Rina; ${COOP}; bendahara\nPak Budi; ; penyuluh`);
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('#trainings').waitFor();
    data.training = await page.locator('#trainings tbody tr').first().evaluate((tr) => Array.from(tr.cells, (c) => c.innerText.trim()));
    await axe('33-trainings');
  }],
];

run(steps);
