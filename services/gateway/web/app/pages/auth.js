// Login, change of password.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { post } from '../api.js';
import { form } from '../form.js';
import { setSession, clearSession, user } from '../session.js';
import { navigate } from '../nav.js';

export function loginPage(params, query) {
  if (user()) { navigate('/', true); return undefined; }
  const f = form({
    submit: 'action.login',
    fields: [
      { name: 'username', label: 'field.username', required: true, autocomplete: 'username' },
      { name: 'password', label: 'field.password', type: 'password', required: true, autocomplete: 'current-password' },
    ],
    onSubmit: (values, key) => post('/api/v1/auth/login', { ...values, session: true }, { quiet: true, key }),
    onSuccess: (r) => {
      setSession(r.user, r.csrf_token);
      const next = query.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') && next !== '/login' ? next : '/', true);
    },
  });
  return h('section', { class: 'login card' },
    h('h1', {}, t('login.title')),
    query.get('expired') ? h('p', { class: 'notice warn' }, t('login.expired')) : null,
    query.get('changed') ? h('p', { class: 'notice' }, t('password.changed')) : null,
    f.el);
}

export function passwordPage() {
  const f = form({
    submit: 'action.change_password',
    fields: [
      { name: 'current_password', label: 'field.current_password', type: 'password', required: true, autocomplete: 'current-password' },
      { name: 'new_password', label: 'field.new_password', type: 'password', required: true, autocomplete: 'new-password', hint: 'hint.password' },
    ],
    onSubmit: (values, key) => post('/api/v1/auth/password', values, { key }),
    onSuccess: () => { clearSession(); navigate('/login?changed=1', true); },
  });
  return h('section', { class: 'card' }, h('h1', {}, t('password.title')), h('p', {}, t('password.intro')), f.el);
}
