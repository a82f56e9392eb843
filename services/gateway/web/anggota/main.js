// main — starts the members' own pages (/anggota/...): the route table, the member's session
// from GET /api/v1/auth/me, the links and the back button as client-side navigation, and the
// way back to the login when the session ends. The router draws (router.js); each page stamps
// the "as of" line (page.js) from the answer it drew.
import { get } from '../app/api.js';
import { followLinks } from '../app/links.js';
import { navigate, redraw } from '../app/nav.js';
import { me, setMember, enter } from './session.js';
import { ROOT } from './page.js';
import { useRoutes } from './router.js';
import * as auth from './pages/auth.js';
import * as savings from './pages/savings.js';
import * as coop from './pages/coop.js';

useRoutes([
  ['/masuk', auth.loginPage, { public: true }],
  ['/aktivasi', auth.activatePage, { public: true }],
  ['', savings.homePage, { nav: 'nav.home' }],
  ['/pinjaman', savings.loansPage, { nav: 'nav.loans' }],
  ['/mutasi', savings.statementPage, { nav: 'nav.statement' }],
  ['/shu', coop.shuPage, { nav: 'nav.shu' }],
  ['/rat', coop.ratPage, { nav: 'nav.rat' }],
]);

followLinks((url) => url.pathname.startsWith(ROOT), navigate);
window.addEventListener('popstate', () => redraw());
window.addEventListener('lumbung:unauthenticated', () => {
  if (!me()) return;
  setMember(null, null);
  navigate(`${ROOT}/masuk?expired=1`, true);
});

async function start() {
  try {
    const u = await get('/api/v1/auth/me', { quiet: true });
    if (u.role === 'member') await enter(u, u.csrf_token);
  } catch (e) {
    setMember(null, null);
  }
  await redraw();
  document.body.dataset.ready = 'true';
}
start();
