// Administration: users and roles (admin), the audit trail (admin, supervisor).
import { h, table } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { get, post, api, ApiError } from '../api.js';
import { form } from '../form.js';
import { can } from '../session.js';
import { navigate } from '../nav.js';

const ROLES = ['operator', 'viewer', 'supervisor', 'admin'];

// One button per change, each its own small form with its own Idempotency-Key.
function userAction(u, label, body) {
  const f = form({
    submit: label, cls: 'inline', fields: [],
    onSubmit: (values, key) => api('PATCH', `/api/v1/users/${u.id}`, { body, key }),
    onSuccess: () => navigate('/pengguna?changed=1', true),
  });
  return f.el;
}
function roleForm(u) {
  const f = form({
    submit: 'users.change_role', cls: 'inline',
    fields: [
      { name: 'role', label: 'field.role', type: 'select', value: u.role, options: ROLES.map((r) => [r, `role.${r}`]) },
      { name: 'cooperative_id', label: 'field.cooperative_id', value: u.cooperative_id || '', inputmode: 'numeric' },
    ],
    onSubmit: (values, key) => api('PATCH', `/api/v1/users/${u.id}`, { body: { role: values.role, cooperative_id: values.cooperative_id || null }, key }),
    onSuccess: () => navigate('/pengguna?changed=1', true),
  });
  return h('details', {}, h('summary', {}, t('users.change_role')), f.el);
}
function userActions(u) {
  return h('div', { class: 'inline' }, roleForm(u),
    userAction(u, u.active ? 'users.deactivate' : 'users.activate', { active: !u.active }),
    u.locked_until ? userAction(u, 'users.unlock', { unlock: true }) : null);
}

export async function usersPage(params, query) {
  if (!can('users')) throw new ApiError(403, 'forbidden');
  const users = await get('/api/v1/users?limit=500');
  const f = form({
    submit: 'action.create',
    fields: [
      { name: 'username', label: 'field.username', required: true, hint: 'hint.username' },
      { name: 'full_name', label: 'field.full_name', required: true },
      { name: 'password', label: 'field.password', type: 'password', required: true, autocomplete: 'new-password', hint: 'hint.password' },
      { name: 'role', label: 'field.role', type: 'select', options: ROLES.map((r) => [r, `role.${r}`]) },
      { name: 'cooperative_id', label: 'field.cooperative_id', hint: 'hint.cooperative_id', inputmode: 'numeric' },
    ],
    onSubmit: (values, key) => post('/api/v1/users', values, { key }),
    onSuccess: () => navigate('/pengguna?created=1', true),
  });
  return h('section', {}, h('h1', {}, t('users.title')),
    query.get('created') ? h('p', { class: 'notice', role: 'status' }, t('users.created')) : null,
    query.get('changed') ? h('p', { class: 'notice', role: 'status' }, t('state.saved')) : null,
    table(t('users.title'), [
      { label: t('field.username'), value: (u) => u.username }, { label: t('field.full_name'), value: (u) => u.full_name },
      { label: t('field.role'), value: (u) => t(`role.${u.role}`) },
      { label: t('field.cooperative_id'), value: (u) => (u.cooperative_id ? h('a', { href: `/koperasi/${u.cooperative_id}` }, u.cooperative_id) : '—') },
      { label: t('field.status'), value: (u) => [u.active ? t('users.active') : t('users.inactive'), u.locked_until ? ` · ${t('users.locked')}` : ''] },
      { label: t('users.actions'), value: (u) => userActions(u) },
    ], users.items || [], { id: 'user-list' }),
    h('details', { class: 'card' }, h('summary', {}, t('users.new')), f.el));
}

export async function auditPage() {
  if (!can('audit')) throw new ApiError(403, 'forbidden');
  const a = await get('/api/v1/audit?limit=200');
  return h('section', {}, h('h1', {}, t('audit.title')), table(t('audit.title'), [
    { label: t('audit.at'), value: (e) => formatDate(e.at) }, { label: t('field.username'), value: (e) => e.user },
    { label: t('field.role'), value: (e) => (e.role ? t(`role.${e.role}`) : '') }, { label: t('audit.action'), value: (e) => `${e.method} ${e.path}` },
    // A call over the bus is recorded as it is sent: until its answer it reads "pending".
    { label: t('audit.status'), value: (e) => (e.outcome === 'pending' ? t('audit.pending') : `${e.status} ${e.outcome}`), num: false },
  ], a.items || [], { id: 'audit-list' }));
}
