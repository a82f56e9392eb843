// main — starts the members' own pages (/anggota/...): the member's session, the header with
// the menu, the language switch and logout, and the router. A page returns its node; each
// stamps the "as of" line (asOf) from the answer it drew. The gateway answers
// /anggota/index.html for every /anggota path (static.c).
import { h } from '../app/dom.js';
import { get, post, newKey, setCsrf, ApiError } from '../app/api.js';
import { followLinks } from '../app/links.js';
import { t, getLang, setLang, languages } from './i18n.js';
import { errorText } from './form.js';
import * as auth from './pages/auth.js';
import * as savings from './pages/savings.js';
import * as coop from './pages/coop.js';

export const ROOT = '/anggota';
const routes = [
  ['/masuk', auth.loginPage, { public: true }],
  ['/aktivasi', auth.activatePage, { public: true }],
  ['', savings.homePage, { nav: 'nav.home' }],
  ['/pinjaman', savings.loansPage, { nav: 'nav.loans' }],
  ['/mutasi', savings.statementPage, { nav: 'nav.statement' }],
  ['/shu', coop.shuPage, { nav: 'nav.shu' }],
  ['/rat', coop.ratPage, { nav: 'nav.rat' }],
];

let member = null;
export function me() { return member; }
export function setMember(u, csrf) { member = u; setCsrf(csrf); }
// The member's name for the header: the account knows only the member's ids.
export async function enter(u, csrf) {
  setMember(u, csrf);
  try {
    const m = await get(`/api/v1/cooperatives/${u.cooperative_id}/members/${u.member_id}`, { quiet: true });
    member = { ...u, full_name: m.name };
  } catch (e) { /* the header shows the number alone */ }
}

// "Data as of sequence #n, loaded dd/mm/yyyy hh:mm" — how fresh what the page shows is.
export function asOf(seq) {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return h('p', { class: 'asof', 'data-seq': String(seq || 0) }, t('asof.text', { seq: seq || 0, time }));
}

export function navigate(path, replace) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  return render();
}

function header() {
  const path = location.pathname.replace(/\/$/, '');
  const langSelect = h('select', { id: 'lang', 'aria-label': t('nav.language') },
    languages().map((l) => h('option', { value: l, selected: l === getLang() || null }, t(`lang.${l}`))));
  langSelect.addEventListener('change', () => { setLang(langSelect.value); render(); });
  const logout = h('button', { type: 'button', class: 'link', id: 'logout' }, t('nav.logout'));
  logout.addEventListener('click', async () => {
    try { await post('/api/v1/auth/logout', {}, { quiet: true, key: newKey() }); } catch (e) { /* gone already */ }
    setMember(null, null);
    navigate(`${ROOT}/masuk`);
  });
  const items = member ? routes.filter((r) => r[2] && r[2].nav).map(([p, , o]) => h('li', {},
    h('a', { href: ROOT + p, 'aria-current': path === ROOT + p ? 'page' : null }, t(o.nav)))) : [];
  document.getElementById('top').replaceChildren(h('div', { class: 'bar' },
    h('a', { class: 'brand', href: `${ROOT}` }, t('app.name')),
    member ? h('nav', { 'aria-label': t('nav.main') }, h('ul', {}, items)) : null,
    h('div', { class: 'who' },
      member ? h('span', { id: 'who' }, t('nav.signed_in_as', { name: member.full_name || '', number: member.member_number })) : null,
      member ? logout : null, langSelect)));
  document.getElementById('skip-link').textContent = t('nav.skip');
}

function match(path) {
  const rest = path.replace(/\/$/, '').slice(ROOT.length);
  const r = routes.find(([p]) => p === rest);
  return r ? { page: r[1], opts: r[2] } : null;
}

function messagePage(titleKey, text) {
  return h('section', { class: 'card' }, h('h1', {}, t(titleKey)), h('p', { class: 'notice error' }, text));
}

let serial = 0;
export async function render() {
  const mine = ++serial;
  document.documentElement.lang = getLang();
  const m = match(location.pathname);
  if (!member && !(m && m.opts.public)) { history.replaceState(null, '', `${ROOT}/masuk`); return render(); }
  header();
  const main = document.getElementById('main');
  let node;
  if (!m) node = messagePage('page.not_found', location.pathname);
  else {
    main.replaceChildren(h('p', { role: 'status' }, t('state.loading')));
    try {
      node = await m.page(new URLSearchParams(location.search));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return undefined;
      node = messagePage(e instanceof ApiError && e.status === 403 ? 'page.forbidden' : 'page.error', errorText(e));
    }
  }
  if (mine !== serial || node === undefined) return undefined;
  main.replaceChildren(node);
  // A table wider than a phone scrolls sideways: keyboard users must reach it (axe:
  // scrollable-region-focusable), so each wrapper is a named, focusable region.
  for (const wrap of main.querySelectorAll('.table-wrap')) {
    const caption = wrap.querySelector('caption');
    wrap.setAttribute('tabindex', '0');
    wrap.setAttribute('role', 'region');
    if (caption) wrap.setAttribute('aria-label', caption.textContent);
  }
  const h1 = main.querySelector('h1');
  document.title = `${h1 ? `${h1.textContent} · ` : ''}${t('app.name')}`;
  document.querySelector('meta[name="description"]').setAttribute('content', t('app.description'));
  main.focus({ preventScroll: true });
  document.body.dataset.page = m ? m.page.name : 'none';
  return undefined;
}

followLinks((url) => url.pathname.startsWith(ROOT), navigate);
window.addEventListener('popstate', () => render());
window.addEventListener('lumbung:unauthenticated', () => {
  if (!member) return;
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
  await render();
  document.body.dataset.ready = 'true';
}
start();
