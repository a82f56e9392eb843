// The README's first session, in the browser, against `make run`: the URL it printed, admin
// with the password it printed, the password changed, then Koperasi -> Daftarkan koperasi,
// Anggota -> Daftarkan anggota and Impor anggota dari CSV, Simpanan, Pinjaman -> Ajukan
// pinjaman. Env: LUMBUNG_URL (as printed), LUMBUNG_ADMIN_PASSWORD (as printed).
import { run, login, heading, text, BASE } from './lib.mjs';

const PRINTED = process.env.LUMBUNG_ADMIN_PASSWORD;
const NEW_PASSWORD = 'sandi-baru-admin-2026';

const steps = [
  ['open the printed address and log in with the printed password', async ({ page, data, axe }) => {
    await page.goto(BASE);
    await heading(page, 'Masuk ke Lumbung');
    data.path_before_login = new URL(page.url()).pathname;
    await login(page, 'admin', PRINTED);
    await heading(page, 'Dasbor kabupaten');
    data.who = await text(page, '#who');
    await axe('50-first-dashboard');
  }],
  ['change the password (Ganti kata sandi)', async ({ page, data }) => {
    await page.getByRole('link', { name: 'Ganti kata sandi' }).click();
    await heading(page, 'Ganti kata sandi');
    await page.getByLabel('Kata sandi sekarang').fill(PRINTED);
    await page.getByLabel('Kata sandi baru').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Ganti kata sandi' }).click();
    await heading(page, 'Masuk ke Lumbung');
    data.password_notice = await text(page, 'p.notice');
    await login(page, 'admin', NEW_PASSWORD);
    await heading(page, 'Dasbor kabupaten');
  }],
  ['Koperasi -> Daftarkan koperasi', async ({ page, data }) => {
    await page.getByRole('link', { name: 'Koperasi', exact: true }).click();
    await page.getByRole('link', { name: 'Daftarkan koperasi' }).click();
    await heading(page, 'Daftarkan koperasi');
    await page.getByLabel('Nama', { exact: true }).fill('Koperasi Wanita Sejahtera');
    await page.getByLabel('Jenis', { exact: true }).selectOption({ label: 'Simpan pinjam' });
    await page.getByLabel('Kelompok').fill('perempuan');
    await page.getByLabel('Kecamatan').fill('Cibeunying');
    await page.getByLabel('Simpanan pokok').fill('100.000');
    await page.getByLabel('Simpanan wajib', { exact: true }).fill('20.000');
    await page.getByRole('button', { name: 'Buat' }).click();
    await heading(page, 'Koperasi Wanita Sejahtera');
    data.coop_notice = await text(page, 'p.notice');
  }],
  ['Anggota -> Daftarkan anggota, Impor anggota dari CSV; Simpanan; Pinjaman -> Ajukan pinjaman', async ({ page, data, axe }) => {
    const reached = [];
    await page.getByRole('link', { name: 'Anggota', exact: true }).click();
    await page.getByRole('link', { name: 'Daftarkan anggota' }).click();
    await heading(page, 'Daftarkan anggota');
    reached.push(await text(page, 'main h1'));
    await page.getByRole('link', { name: 'Anggota', exact: true }).click();
    await page.getByRole('link', { name: 'Impor anggota dari CSV' }).click();
    await heading(page, 'Impor anggota dari CSV');
    reached.push(await text(page, 'main h1'));
    await page.getByRole('link', { name: 'Simpanan', exact: true }).click();
    await page.getByRole('button', { name: 'Setor', exact: true }).waitFor();
    reached.push(await text(page, 'main h1'));
    await page.getByRole('link', { name: 'Pinjaman', exact: true }).click();
    await page.getByRole('link', { name: 'Ajukan pinjaman' }).click();
    await page.getByRole('button', { name: 'Ajukan pinjaman' }).waitFor();
    reached.push(await text(page, 'main h1'));
    data.reached = reached;
    await axe('51-first-loan-apply');
  }],
];

run(steps);
