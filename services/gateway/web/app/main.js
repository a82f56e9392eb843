// main — starts the operators' web interface: the route table (path -> page), the session
// from GET /api/v1/auth/me, the links and the back button as client-side navigation, and the
// way back to the login when the session ends. The router draws (router.js).
import { get } from './api.js';
import { user, setSession, clearSession, can, scoped } from './session.js';
import { followLinks } from './links.js';
import { navigate, redraw } from './nav.js';
import { useRoutes } from './router.js';
import * as auth from './pages/auth.js';
import * as coops from './pages/coops.js';
import * as members from './pages/members.js';
import * as money from './pages/money.js';
import * as district from './pages/district.js';
import * as reports from './pages/reports.js';
import * as admin from './pages/admin.js';
import * as ledger from './pages/ledger.js';
import * as oversight from './pages/oversight.js';

const routes = [
  ['/login', auth.loginPage, { public: true }],
  ['/password', auth.passwordPage],
  ['/', home],
  ['/dasbor', district.dashboardPage],
  ['/koperasi', coops.listPage],
  ['/koperasi/baru', coops.createPage],
  ['/koperasi/:coop', coops.detailPage],
  ['/koperasi/:coop/anggota', members.listPage],
  ['/koperasi/:coop/anggota/baru', members.registerPage],
  ['/koperasi/:coop/anggota/impor', members.importPage],
  ['/koperasi/:coop/anggota/:member', members.memberPage],
  ['/koperasi/:coop/anggota/:member/mutasi', members.statementPage],
  ['/koperasi/:coop/anggota/:member/ubah', members.editPage],
  ['/koperasi/:coop/anggota/:member/keluar', members.exitPage],
  ['/koperasi/:coop/jurnal', ledger.journalPage],
  ['/koperasi/:coop/saldo-awal', ledger.openingPage],
  ['/koperasi/:coop/simpanan', money.savingsPage],
  ['/koperasi/:coop/pinjaman', money.loansPage],
  ['/koperasi/:coop/pinjaman/baru', money.applyPage],
  ['/koperasi/:coop/pinjaman/:loan', money.loanPage],
  ['/koperasi/:coop/tutup-hari', money.closeDayPage],
  ['/koperasi/:coop/laporan', reports.reportsPage],
  ['/koperasi/:coop/laporan/:report', reports.reportsPage],
  ['/pelatihan', oversight.trainingsPage],
  ['/pengguna', admin.usersPage],
  ['/audit', admin.auditPage],
];

// '/': a scoped role's own cooperative, the district's dashboard, or the list of cooperatives.
function home() {
  const u = user();
  if (scoped()) return navigate(`/koperasi/${u.cooperative_id}`, true);
  if (can('district')) return navigate('/dasbor', true);
  return navigate('/koperasi', true);
}
useRoutes(routes);

// Not the API's files, nor the members' own pages or the public directory (other apps).
followLinks((url) => !/^\/(api|anggota|publik)(\/|$)/.test(url.pathname), navigate);
window.addEventListener('popstate', () => redraw());
window.addEventListener('lumbung:unauthenticated', () => {
  if (!user()) return;
  clearSession();
  navigate(`/login?next=${encodeURIComponent(location.pathname)}&expired=1`, true);
});

async function start() {
  try {
    const me = await get('/api/v1/auth/me', { quiet: true });
    setSession(me, me.csrf_token);
  } catch (e) {
    clearSession();
  }
  await redraw();
  document.body.dataset.ready = 'true';
}
start();
