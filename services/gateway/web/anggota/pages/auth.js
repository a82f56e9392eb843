// auth — a member's activation (one-time code from the office + a new PIN) and login
// (cooperative number, member number, PIN). Both open a browser session (cookie + CSRF token).
import { h } from '../../app/dom.js';
import { post } from '../../app/api.js';
import { t } from '../i18n.js';
import { form } from '../form.js';
import { navigate } from '../../app/nav.js';
import { me, enter } from '../session.js';
import { ROOT } from '../page.js';

const PIN = /^[0-9]{6}$/;

function ids(query) {
  return [
    { name: 'cooperative_id', label: 'field.cooperative_id', hint: 'hint.cooperative_id', inputmode: 'numeric', required: true, value: query.get('koperasi') || undefined },
    { name: 'member_number', label: 'field.member_number', inputmode: 'numeric', required: true, autocomplete: 'username', value: query.get('anggota') || undefined },
  ];
}

async function loggedIn(r) {
  await enter(r.user, r.csrf_token);
  navigate(ROOT, true);
}

export function loginPage(query) {
  if (me()) { navigate(ROOT, true); return undefined; }
  const f = form({
    submit: 'action.login',
    fields: [...ids(query), { name: 'pin', label: 'field.pin', type: 'password', inputmode: 'numeric', required: true, autocomplete: 'current-password', maxlength: 6 }],
    validate: (v) => (PIN.test(v.pin) ? null : { pin: 'error.invalid_pin' }),
    onSubmit: (v, key) => post('/api/v1/member/login', { ...v, session: true }, { quiet: true, key }),
    onSuccess: loggedIn,
  });
  return h('section', { class: 'login card' },
    h('h1', {}, t('login.title')),
    query.get('expired') ? h('p', { class: 'notice warn' }, t('login.expired')) : null,
    f.el,
    h('p', {}, h('a', { href: `${ROOT}/aktivasi` }, t('login.first_time'))));
}

export function activatePage(query) {
  const f = form({
    submit: 'action.activate',
    fields: [...ids(query),
      { name: 'code', label: 'field.code', hint: 'hint.code', required: true, autocomplete: 'one-time-code', maxlength: 10 },
      { name: 'pin', label: 'field.pin', hint: 'hint.pin', type: 'password', inputmode: 'numeric', required: true, autocomplete: 'new-password', maxlength: 6 },
      { name: 'pin_again', label: 'field.pin_again', type: 'password', inputmode: 'numeric', required: true, autocomplete: 'new-password', maxlength: 6 }],
    validate: (v) => {
      if (!PIN.test(v.pin)) return { pin: 'error.invalid_pin' };
      return v.pin === v.pin_again ? null : { pin_again: 'error.pin_mismatch' };
    },
    onSubmit: (v, key) => post('/api/v1/member/activate', { cooperative_id: v.cooperative_id, member_number: v.member_number, code: v.code, pin: v.pin, session: true }, { quiet: true, key }),
    onSuccess: loggedIn,
  });
  return h('section', { class: 'login card' },
    h('h1', {}, t('activate.title')), h('p', {}, t('activate.intro')), f.el,
    h('p', {}, h('a', { href: `${ROOT}/masuk` }, t('activate.have_pin'))));
}
