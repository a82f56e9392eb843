// header — the operators' bar at the top of every page: the links the role may reach, who is
// signed in, the password page, logout and the language switch.
// Owns: nothing; it draws into #top and #skip-link from the session and the location.
// Not for: the members' bar (anggota/router.js), which page is shown (router.js).
import { h } from './dom.js';
import { t, getLang, setLang, languages } from './i18n.js';
import { post, newKey } from './api.js';
import { user, clearSession, can, scoped } from './session.js';
import { navigate, redraw } from './nav.js';

export function header() {
  const u = user();
  const top = document.getElementById('top');
  const path = location.pathname;
  const link = (href, key) => h('li', {}, h('a', { href, 'aria-current': path === href || (href !== '/' && path.startsWith(href + '/')) ? 'page' : null }, t(key)));
  const langSelect = h('select', { id: 'lang', 'aria-label': t('nav.language') },
    languages().map((l) => h('option', { value: l, selected: l === getLang() || null }, t(`lang.${l}`))));
  langSelect.addEventListener('change', () => { setLang(langSelect.value); redraw(); });
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
