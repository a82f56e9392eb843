// Cooperatives: list with search, creation (admin), detail with settings, board and annual
// meetings (RAT), and the tabs every page of one cooperative shares.
import { h, table, facts } from '../dom.js';
import { t, formatMoney, formatDate, formatDecimal } from '../i18n.js';
import { get, api, post, ApiError } from '../api.js';
import { form } from '../form.js';
import { can, user } from '../session.js';
import { navigate } from '../nav.js';
import { PERIODS } from '../periods.js';
import { boardForm, meetingForm, meetingsTable, supervisionSection } from './oversight.js';

export const COOP_TYPES = ['savings_loan', 'consumer', 'producer', 'marketing', 'services', 'multi_purpose'];
const coopCache = new Map();

export async function coopOf(id) {
  const c = await get(`/api/v1/cooperatives/${encodeURIComponent(id)}`);
  coopCache.set(String(id), c);
  return c;
}

// Tabs whose page only changes things: a role that may not write never sees them.
const WRITE_TABS = ['/simpanan', '/tutup-hari'];

export function coopTabs(coop, active) {
  const base = `/koperasi/${coop.id}`;
  const tabs = [
    ['', 'tab.overview'], ['/anggota', 'tab.members'], ['/simpanan', 'tab.savings'],
    ['/pinjaman', 'tab.loans'], ['/jurnal', 'tab.journal'], ['/tutup-hari', 'tab.close_day'], ['/laporan', 'tab.reports'],
  ].filter(([p]) => !WRITE_TABS.includes(p) || can('coop.write'));
  return [
    h('p', { class: 'no-print' }, h('span', { class: 'badge' }, t(`coop_type.${coop.type}`)), ' ', coop.district || ''),
    h('nav', { 'aria-label': t('nav.coop_pages') }, h('ul', { class: 'tabs' }, tabs.map(([p, key]) =>
      h('li', {}, h('a', { href: base + p, 'aria-current': active === key ? 'page' : null }, t(key)))))),
  ];
}

export async function listPage(params, query) {
  const q = query.get('q') || '';
  const data = await get(`/api/v1/cooperatives${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  const search = h('input', { id: 'coop-q', name: 'q', type: 'search', value: q });
  const searchForm = h('form', { class: 'search', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'coop-q' }, t('field.search_coop')), search),
    h('button', { type: 'submit', class: 'secondary' }, t('action.search')));
  searchForm.addEventListener('submit', (ev) => { ev.preventDefault(); navigate(`/koperasi${search.value ? `?q=${encodeURIComponent(search.value)}` : ''}`); });
  return h('section', {},
    h('h1', {}, t('coops.title')),
    can('coop.create') ? h('p', {}, h('a', { class: 'button', href: '/koperasi/baru' }, t('coops.new'))) : null,
    searchForm,
    data.items.length === 0 ? h('p', { class: 'notice' }, t('coops.none')) :
      table(t('coops.title'), [
        { label: t('field.name'), value: (c) => h('a', { href: `/koperasi/${c.id}` }, c.name) },
        { label: t('field.type'), value: (c) => t(`coop_type.${c.type}`) },
        { label: t('field.group'), value: (c) => c.group || '' },
        { label: t('field.district'), value: (c) => c.district || '' },
        { label: t('field.founded_on'), value: (c) => formatDate(c.founded_on) },
      ], data.items, { id: 'coop-list' }));
}

export function createPage() {
  if (!can('coop.create')) throw new ApiError(403, 'forbidden');
  const f = form({
    submit: 'action.create',
    fields: [
      { name: 'name', label: 'field.name', required: true },
      { name: 'type', label: 'field.type', type: 'select', options: COOP_TYPES.map((v) => [v, `coop_type.${v}`]) },
      { name: 'group', label: 'field.group', hint: 'hint.group' },
      { name: 'district', label: 'field.district', required: true },
      { name: 'address', label: 'field.address' },
      { name: 'legal_number', label: 'field.legal_number' },
      { name: 'legal_date', label: 'field.legal_date', type: 'date' },
      { name: 'founded_on', label: 'field.founded_on', type: 'date' },
      { name: 'settings.principal_amount', label: 'field.principal_amount', type: 'amount', required: true },
      { name: 'settings.mandatory_amount', label: 'field.mandatory_amount', type: 'amount', required: true },
      { name: 'settings.mandatory_period', label: 'field.mandatory_period', type: 'select', options: PERIODS.map((p) => [p, `period.${p}`]) },
    ],
    onSubmit: (values, key) => post('/api/v1/cooperatives', values, { key }),
    onSuccess: (c) => navigate(`/koperasi/${c.id}?created=1`),
  });
  return h('section', { class: 'card' }, h('h1', {}, t('coops.new')), f.el);
}

export const TIME_ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'];
const AT_RAT = ['principal_amount', 'mandatory_amount', 'mandatory_period', 'usage_share_basis', 'shu_allocation'];
export const DECIDED_AT_RAT = AT_RAT.map((f) => `settings.${f}`);

// Only what the user may change (docs/members.md "Who changes which field"): the registry
// data for an admin (the district office); day-to-day fields and the time zone for whoever
// writes the cooperative. What the annual meeting decided is shown, not edited: it changes by
// recording the meeting that decides it.
function settingsForm(coop) {
  const s = coop.settings || {};
  const registry = user() && user().role === 'admin' ? [
    { name: 'name', label: 'field.name', required: true, value: coop.name },
    { name: 'type', label: 'field.type', type: 'select', value: coop.type, options: COOP_TYPES.map((v) => [v, `coop_type.${v}`]) },
    { name: 'group', label: 'field.group', hint: 'hint.group', value: coop.group },
    { name: 'district', label: 'field.district', required: true, value: coop.district },
    { name: 'legal_number', label: 'field.legal_number', value: coop.legal_number },
    { name: 'legal_date', label: 'field.legal_date', type: 'date', value: coop.legal_date },
    { name: 'founded_on', label: 'field.founded_on', type: 'date', value: coop.founded_on },
    { name: 'settings.fiscal_year_start', label: 'field.fiscal_year_start', type: 'number', min: 1, max: 12, value: s.fiscal_year_start },
  ] : [];
  return form({
    submit: 'action.save',
    fields: registry.concat([
      { name: 'address', label: 'field.address', value: coop.address },
      { name: 'phone', label: 'field.phone', value: coop.phone },
      { name: 'settings.time_zone', label: 'field.time_zone', type: 'select', value: s.time_zone || 'Asia/Jakarta', options: TIME_ZONES.map((z) => [z, `tz.${z}`]) },
      { name: 'settings.loan_annual_rate', label: 'field.loan_annual_rate', value: s.loan_annual_rate, inputmode: 'decimal' },
      { name: 'settings.late_fee_rate', label: 'field.late_fee_rate', value: s.late_fee_rate, inputmode: 'decimal' },
      { name: 'settings.loan_max', label: 'field.loan_max', type: 'amount', value: s.loan_max },
      { name: 'settings.voluntary_min_balance', label: 'field.voluntary_min_balance', type: 'amount', value: s.voluntary_min_balance },
    ]),
    secondary: [h('p', { class: 'hint', id: 'settings-rat-note' }, t('coops.decided_at_rat'))],
    onSubmit: (values, key) => api('PATCH', `/api/v1/cooperatives/${coop.id}`, { body: values, key }),
    onSuccess: () => navigate(`/koperasi/${coop.id}?saved=1`, true),
  });
}

const shuText = (a) => Object.entries(a || {}).map(([k, v]) => `${t(`shu.${k}`)} ${formatDecimal(v)} %`).join(', ');

export async function detailPage(params, query) {
  const coop = await coopOf(params.coop);
  const s = coop.settings || {};
  const [meetings, visits] = await Promise.all([
    get(`/api/v1/cooperatives/${coop.id}/annual-meetings`).catch(() => ({ items: [] })),
    get(`/api/v1/cooperatives/${coop.id}/supervision`).catch(() => ({ items: [] }))]);
  const board = coop.board || {};
  return h('section', {},
    h('h1', {}, coop.name),
    coopTabs(coop, 'tab.overview'),
    query.get('created') ? h('p', { class: 'notice', role: 'status' }, t('coops.created')) : null,
    query.get('saved') ? h('p', { class: 'notice', role: 'status' }, t('state.saved')) : null,
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('coops.identity')), facts([
        [t('field.type'), t(`coop_type.${coop.type}`)], [t('field.group'), coop.group || '—'],
        [t('field.district'), coop.district || '—'], [t('field.address'), coop.address || '—'],
        [t('field.legal_number'), coop.legal_number || '—'], [t('field.legal_date'), formatDate(coop.legal_date) || '—'],
        [t('field.founded_on'), formatDate(coop.founded_on) || '—'],
      ])),
      h('div', { class: 'card', id: 'settings' }, h('h2', {}, t('coops.settings')), facts([
        [t('field.time_zone'), h('span', { id: 'time-zone' }, t(`tz.${s.time_zone || 'Asia/Jakarta'}`))],
        [t('field.fiscal_year_start'), t(`month.${s.fiscal_year_start || 1}`)],
        [t('field.loan_annual_rate'), `${formatDecimal(s.loan_annual_rate)} %`],
        [t('field.late_fee_rate'), `${formatDecimal(s.late_fee_rate)} %`],
        [t('field.loan_max'), formatMoney(s.loan_max)],
        [t('field.voluntary_min_balance'), formatMoney(s.voluntary_min_balance || '0')],
      ]), h('h3', {}, t('coops.at_rat')), facts([
        [t('field.principal_amount'), formatMoney(s.principal_amount)],
        [t('field.mandatory_amount'), formatMoney(s.mandatory_amount)],
        [t('field.mandatory_period'), t(`period.${s.mandatory_period}`)],
        [t('field.usage_share_basis'), t(`basis.${s.usage_share_basis || 'interest_paid'}`)],
        [t('shu.allocation'), shuText(s.shu_allocation)],
      ]), h('p', { class: 'hint' }, t('coops.decided_at_rat'))),
      h('div', { class: 'card', id: 'board' }, h('h2', {}, t('coops.board')), facts([
        [t('board.chair'), board.chair || '—'], [t('board.secretary'), board.secretary || '—'],
        [t('board.treasurer'), board.treasurer || '—'],
        [t('board.supervisors'), (board.supervisors || []).join(', ') || '—'],
        [t('board.elected_on'), formatDate(board.elected_on) || '—'],
      ]))),
    can('coop.write') ? h('details', { class: 'card' }, h('summary', {}, t('coops.edit_board')), boardForm(coop).el) : null,
    h('h2', {}, t('coops.rat')),
    (meetings.items || []).length ? meetingsTable(meetings.items) : h('p', {}, t('coops.rat_none')),
    can('coop.write') ? h('details', { class: 'card' }, h('summary', {}, t('coops.record_rat')), meetingForm(coop).el) : null,
    supervisionSection(coop, visits.items || []),
    can('coop.write') && user() ? h('details', { class: 'card' }, h('summary', {}, t('coops.edit_settings')), settingsForm(coop).el) : null);
}
