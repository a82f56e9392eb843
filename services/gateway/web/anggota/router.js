// router — turns a /anggota path into a members' page: matches it against the route table
// main.js hands over, sends whoever is not signed in to the login, draws the bar (the menu from
// the routes that name one, the member, logout, the language switch) and the page, and shows
// a page's error as a page of its own. The gateway answers /anggota/index.html for every
// /anggota path (static.c).
// Owns: the route table once handed over, and the serial that lets only the newest draw land.
// Not for: the table itself (main.js), moving to a page (app/nav.js).
import { h } from '../app/dom.js';
import { post, newKey, ApiError } from '../app/api.js';
import { useRenderer, navigate, redraw } from '../app/nav.js';
import { t, getLang, setLang, languages } from './i18n.js';
import { errorText } from './form.js';
import { me, setMember } from './session.js';
import { ROOT } from './page.js';

// [path under ROOT, page, opts]: opts.public needs no session, opts.nav is its menu entry.
let routes = [];
export function useRoutes(table) {
  routes = table;
  useRenderer(render);
}

function header() {
  const member = me();
  const path = location.pathname.replace(/\/$/, '');
  const langSelect = h('select', { id: 'lang', 'aria-label': t('nav.language') },
    languages().map((l) => h('option', { value: l, selected: l === getLang() || null }, t(`lang.${l}`))));
  langSelect.addEventListener('change', () => { setLang(langSelect.value); redraw(); });
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
async function render() {
  const mine = ++serial;
  document.documentElement.lang = getLang();
  const m = match(location.pathname);
  if (!me() && !(m && m.opts.public)) { history.replaceState(null, '', `${ROOT}/masuk`); return render(); }
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
