// member_access — an operator (or admin) gives a member access to their own pages
// (docs/members-self-service.md): a confirmation saying what a new code ends, the call
// (POST .../members/{id}/access through form.js: Idempotency-Key, CSRF token, the API's error in
// the user's language), then the one-time code shown once with what the member needs to
// activate, and a small printed slip in Bahasa Indonesia whatever the operator's language.
// The caller draws it only for roles that may call the route (can('coop.write')).
// Not for: the members' own activation page (web/anggota/).
import { h, facts } from '../dom.js';
import { t, tIn, formatDate } from '../i18n.js';
import { post } from '../api.js';
import { form } from '../form.js';

const activationUrl = (coopId) => `${location.origin}/anggota/aktivasi?koperasi=${encodeURIComponent(coopId)}`;

// The slip the member takes home, always in Bahasa Indonesia (their pages' default language).
function fillSlip(slip, coop, m, g) {
  slip.replaceChildren(
    h('h2', {}, tIn('id', 'access.slip_title')),
    h('p', {}, coop.name),
    facts([[tIn('id', 'field.name'), m.name], [tIn('id', 'access.coop_number'), String(coop.id)],
      [tIn('id', 'access.member_number'), String(m.member_number)],
      [tIn('id', 'access.expires'), formatDate(g.code_expires_at)]]),
    h('p', {}, tIn('id', 'access.code')), h('p', { class: 'access-code' }, g.code),
    h('p', {}, tIn('id', 'access.slip_how', { url: activationUrl(coop.id) })),
    h('p', {}, tIn('id', 'access.slip_once')));
}

function showCode(panel, slip, coop, m, g) {
  fillSlip(slip, coop, m, g);
  const print = h('button', { type: 'button', class: 'no-print' }, t('access.print'));
  print.addEventListener('click', () => window.print());
  const card = h('div', { class: 'card', id: 'access-result', tabindex: '-1' },
    h('h2', {}, t('access.result_title', { name: m.name })),
    h('p', { class: 'access-code', id: 'access-code' }, g.code),
    facts([[t('access.coop_number'), String(coop.id)], [t('access.member_number'), String(m.member_number)],
      [t('access.address'), activationUrl(coop.id)], [t('access.expires'), formatDate(g.code_expires_at)]]),
    h('p', { class: 'notice warn', id: 'access-once' }, t('access.shown_once')),
    h('p', {}, print));
  panel.replaceChildren(card);
  card.focus();
}

// -> {button, panel, slip}: the button goes with the page's actions, the panel (confirmation,
// then the code) below them, the slip straight in the page's section (print CSS shows only it).
export function memberAccess(coop, m) {
  const panel = h('div', { id: 'access-panel' });
  const slip = h('div', { class: 'slip', id: 'access-slip' });
  const button = h('button', { type: 'button', class: 'secondary' }, t('access.give'));
  button.addEventListener('click', () => {
    const cancel = h('button', { type: 'button', class: 'secondary' }, t('action.cancel'));
    const f = form({
      submit: 'access.confirm', fields: [],
      secondary: [cancel],
      onSubmit: (values, key) => post(`/api/v1/cooperatives/${encodeURIComponent(coop.id)}/members/${encodeURIComponent(m.id)}/access`, {}, { key }),
      onSuccess: (g) => { button.disabled = false; showCode(panel, slip, coop, m, g); },
    });
    cancel.addEventListener('click', () => { panel.replaceChildren(); button.disabled = false; button.focus(); });
    slip.replaceChildren();
    const card = h('div', { class: 'card', id: 'access-confirm', tabindex: '-1' },
      h('h2', {}, t('access.give')), h('p', {}, t('access.confirm_intro', { name: m.name })), f.el);
    panel.replaceChildren(card);
    button.disabled = true;
    card.focus();
  });
  return { button, panel, slip };
}
