// main — starts the web interface: the session, the header with what the role may reach, the
// language switch, and the router that turns a path into a page (history API; the gateway
// answers index.html for every such path).
import { h } from './dom.js';
import { t, getLang, setLang, languages } from './i18n.js';
import { get, post, newKey, ApiError } from './api.js';
import { user, setSession, clearSession, can, scoped, mayOpenCoop } from './session.js';
import { errorText } from './form.js';
import { followLinks } from './links.js';
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

function match(path) {
  const segs = path.split('/').filter(Boolean);
  for (const [pattern, page, opts] of routes) {
    const ps = pattern.split('/').filter(Boolean);
    if (ps.length !== segs.length) continue;
    const params = {};
    if (ps.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(segs[i])), true) : p === segs[i]))) {
      return { page, params, opts: opts || {} };
    }
  }
  return null;
}

function home() {
  const u = user();
  if (scoped()) return navigate(`/koperasi/${u.cooperative_id}`, true);
  if (can('district')) return navigate('/dasbor', true);
  return navigate('/koperasi', true);
}

export function navigate(path, replace) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  return render();
}

function header() {
  const u = user();
  const top = document.getElementById('top');
  const path = location.pathname;
  const link = (href, key) => h('li', {}, h('a', { href, 'aria-current': path === href || (href !== '/' && path.startsWith(href + '/')) ? 'page' : null }, t(key)));
  const langSelect = h('select', { id: 'lang', 'aria-label': t('nav.language') },
    languages().map((l) => h('option', { value: l, selected: l === getLang() || null }, t(`lang.${l}`))));
  langSelect.addEventListener('change', () => { setLang(langSelect.value); render(); });
  const items = [];
  if (u) {
    if (can('district')) items.push(link('/dasbor', 'nav.dashboard'));
    if (scoped()) items.push(link(`/koperasi/${u.cooperative_id}`, 'nav.my_coop'));
    else items.push(link('/koperasi', 'nav.coops'));
    if (can('district')) items.push(link('/pelatihan', 'nav.trainings'));
    if (can('users')) items.push(link('/pengguna', 'nav.users'));
    if (can('audit')) items.push(link('/audit', 'nav.audit'));
  }
  const logout = h('button', { type: 'button', class: 'link', id: 'logout' }, t('nav.logout'));
  logout.addEventListener('click', async () => {
    try { await post('/api/v1/auth/logout', {}, { quiet: true, key: newKey() }); } catch (e) { /* gone already */ }
    clearSession();
    navigate('/login');
  });
  top.replaceChildren(h('div', { class: 'bar' },
    h('a', { class: 'brand', href: '/' }, t('app.name')),
    u ? h('nav', { 'aria-label': t('nav.main') }, h('ul', {}, items)) : null,
    h('div', { class: 'who' },
      u ? h('span', { id: 'who' }, t('nav.signed_in_as', { name: u.full_name || u.username, role: t(`role.${u.role}`) })) : null,
      u ? h('a', { href: '/password' }, t('nav.password')) : null,
      u ? logout : null, langSelect)));
  document.getElementById('skip-link').textContent = t('nav.skip');
}

export function messagePage(titleKey, text) {
  return h('section', { class: 'card' }, h('h1', {}, t(titleKey)), h('p', { class: 'notice error' }, text));
}

let renderSerial = 0;
export async function render() {
  const serial = ++renderSerial;
  document.documentElement.lang = getLang();
  const main = document.getElementById('main');
  const m = match(location.pathname);
  if (!user() && !(m && m.opts.public)) {
    history.replaceState(null, '', `/login?next=${encodeURIComponent(location.pathname)}`);
    return render();
  }
  header();
  let node;
  if (!m) {
    node = messagePage('page.not_found', t('page.not_found_text'));
  } else if (m.params.coop && !mayOpenCoop(m.params.coop)) {
    node = messagePage('page.forbidden', t('page.forbidden_coop'));
  } else {
    main.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('state.loading')));
    try {
      node = await m.page(m.params, new URLSearchParams(location.search));
    } catch (e) {
      if (!(e instanceof ApiError)) console.error(e);
      if (e instanceof ApiError && e.status === 403) node = messagePage('page.forbidden', errorText(e));
      else if (e instanceof ApiError && e.status === 404) node = messagePage('page.not_found', errorText(e));
      else if (e instanceof ApiError && e.status === 401) return undefined;
      else node = messagePage('page.error', e instanceof ApiError ? errorText(e) : t('error.unknown', { code: String(e) }));
    }
  }
  if (serial !== renderSerial || node === undefined) return undefined;
  main.replaceChildren(node);
  const h1 = main.querySelector('h1');
  document.title = `${h1 ? h1.textContent + ' · ' : ''}${t('app.name')}`;
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  document.body.dataset.page = m ? m.page.name : 'none';
  return undefined;
}

// Not the API's files, nor the members' own pages or the public directory (other apps).
followLinks((url) => !/^\/(api|anggota|publik)(\/|$)/.test(url.pathname), navigate);
window.addEventListener('popstate', () => render());
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
  await render();
  document.body.dataset.ready = 'true';
}
start();
