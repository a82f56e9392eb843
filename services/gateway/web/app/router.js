// router — turns the location into a page (history API; the gateway answers index.html for
// every such path): matches the path against the route table main.js hands over, sends
// whoever is not signed in to the login, keeps an operator in their own cooperative, draws the
// header and the page, and shows a page's error as a page of its own.
// Owns: the route table once handed over, and the serial that lets only the newest draw land.
// Not for: the table itself (main.js), moving to a page (nav.js), the bar (header.js).
import { h } from './dom.js';
import { t, getLang } from './i18n.js';
import { ApiError } from './api.js';
import { user, mayOpenCoop } from './session.js';
import { errorText } from './form.js';
import { header } from './header.js';
import { useRenderer } from './nav.js';

// [pattern, page, opts]: `:name` segments become params; opts.public needs no session.
let routes = [];
export function useRoutes(table) {
  routes = table;
  useRenderer(render);
}

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

function messagePage(titleKey, text) {
  return h('section', { class: 'card' }, h('h1', {}, t(titleKey)), h('p', { class: 'notice error' }, text));
}

// The page's node, or undefined when a 401 already sent the user to the login.
async function pageNode(m) {
  if (!m) return messagePage('page.not_found', t('page.not_found_text'));
  if (m.params.coop && !mayOpenCoop(m.params.coop)) return messagePage('page.forbidden', t('page.forbidden_coop'));
  document.getElementById('main').replaceChildren(h('p', { class: 'loading', role: 'status' }, t('state.loading')));
  try {
    return await m.page(m.params, new URLSearchParams(location.search));
  } catch (e) {
    if (!(e instanceof ApiError)) console.error(e);
    if (e instanceof ApiError && e.status === 403) return messagePage('page.forbidden', errorText(e));
    if (e instanceof ApiError && e.status === 404) return messagePage('page.not_found', errorText(e));
    if (e instanceof ApiError && e.status === 401) return undefined;
    return messagePage('page.error', e instanceof ApiError ? errorText(e) : t('error.unknown', { code: String(e) }));
  }
}

let renderSerial = 0;
async function render() {
  const serial = ++renderSerial;
  document.documentElement.lang = getLang();
  const main = document.getElementById('main');
  const m = match(location.pathname);
  if (!user() && !(m && m.opts.public)) {
    history.replaceState(null, '', `/login?next=${encodeURIComponent(location.pathname)}`);
    return render();
  }
  header();
  const node = await pageNode(m);
  if (serial !== renderSerial || node === undefined) return undefined;
  main.replaceChildren(node);
  const h1 = main.querySelector('h1');
  document.title = `${h1 ? h1.textContent + ' · ' : ''}${t('app.name')}`;
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  document.body.dataset.page = m ? m.page.name : 'none';
  return undefined;
}
