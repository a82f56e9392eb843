// Members: list with search by name or NIK, registration with live NIK feedback, CSV import
// with progress and row errors, a member's page (savings, arrears, loans) and statement.
import { h, table, facts } from '../dom.js';
import { t, formatMoney, formatDate, formatCount, formatPercent, today } from '../i18n.js';
import { get, post, api, ApiError } from '../api.js';
import { form } from '../form.js';
import { can } from '../session.js';
import { navigate } from '../nav.js';
import { coopOf, coopTabs } from './coops.js';
import { decodeNik } from '../nik.js';
import { downloads, fileLink } from '../downloads.js';
import { onBooks } from './money.js';
import { memberAccess } from './member_access.js';

const base = (coop) => `/api/v1/cooperatives/${encodeURIComponent(coop)}`;
export const memberLink = (coopId, m) => h('a', { href: `/koperasi/${coopId}/anggota/${m.id}` }, m.name);

export async function listPage(params, query) {
  const coop = await coopOf(params.coop);
  const q = query.get('q') || '';
  const data = await get(`${base(coop.id)}/members?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  const search = h('input', { id: 'member-q', name: 'q', type: 'search', value: q });
  const searchForm = h('form', { class: 'search', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'member-q' }, t('field.search_member')), search),
    h('button', { type: 'submit', class: 'secondary' }, t('action.search')));
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(`/koperasi/${coop.id}/anggota${search.value ? `?q=${encodeURIComponent(search.value)}` : ''}`);
  });
  return h('section', {},
    h('h1', {}, t('members.title', { coop: coop.name })),
    coopTabs(coop, 'tab.members'),
    can('coop.write') ? h('p', { class: 'actions' },
      h('a', { class: 'button', href: `/koperasi/${coop.id}/anggota/baru` }, t('members.new')),
      h('a', { class: 'button secondary', href: `/koperasi/${coop.id}/anggota/impor` }, t('members.import'))) : null,
    searchForm,
    data.items.length === 0 ? h('p', { class: 'notice' }, t('members.none')) :
      table(t('members.list'), [
        { label: t('field.member_number'), value: (m) => m.member_number, num: true },
        { label: t('field.name'), value: (m) => memberLink(coop.id, m) },
        { label: t('field.nik'), value: (m) => m.nik },
        { label: t('field.sex'), value: (m) => t(`sex.${m.sex}`) },
        { label: t('field.joined_on'), value: (m) => formatDate(m.joined_on) },
        { label: t('field.status'), value: (m) => t(`member_status.${m.status}`) },
      ], data.items, { id: 'member-list' }),
    data.next_cursor ? h('p', {}, t('members.more')) : null);
}

// The live reading of a NIK: the digit groups, then date of birth and sex, or what is wrong.
function nikFeedback(out, value, birthIso) {
  const r = decodeNik(value, birthIso);
  out.replaceChildren();
  out.dataset.state = r.state;
  if (r.state === 'empty') { out.textContent = t('nik.help'); return; }
  if (r.parts) {
    const p = r.parts;
    out.append(h('span', { class: 'digits' }, [p.province, p.regency, p.district, p.dd, p.mm, p.yy, p.serial].filter(Boolean).join(' ')), ' ');
    const bits = [];
    if (p.province.length === 2) bits.push(t('nik.region', { province: p.province, regency: p.regency || '…', district: p.district || '…' }));
    if (r.birth) bits.push(t('nik.birth', { date: formatDate(r.birth) }));
    if (r.sex) bits.push(t(`nik.sex_${r.sex}`));
    if (r.state === 'ok') bits.push(t('nik.serial', { serial: p.serial }));
    out.append(bits.join(' · '));
  }
  if (r.code) out.append(h('span', { class: r.state === 'bad' ? 'bad' : '' }, ' ', t(r.code, { ...(r.params || {}), n: r.length ?? (r.params || {}).n, left: 16 - (r.length || 0) })));
}

export async function registerPage(params) {
  const coop = await coopOf(params.coop);
  if (!can('coop.write')) throw new ApiError(403, 'forbidden');
  const feedback = h('p', { class: 'nik-feedback hint', id: 'nik-feedback', 'aria-live': 'polite' });
  let f;
  const birthValue = () => { const b = f && f.byName('birth_date').read(); return b && b.value; };
  f = form({
    submit: 'action.register',
    fields: [
      { name: 'nik', label: 'field.nik', required: true, inputmode: 'numeric', extra: feedback,
        onInput: (input) => nikFeedback(feedback, input.value, birthValue()) },
      { name: 'name', label: 'field.full_name', required: true },
      { name: 'sex', label: 'field.sex', type: 'select', required: true, options: [['', 'option.choose'], ['female', 'sex.female'], ['male', 'sex.male']] },
      { name: 'birth_date', label: 'field.birth_date', type: 'date', required: true },
      { name: 'address', label: 'field.address' },
      { name: 'phone', label: 'field.phone', inputmode: 'tel' },
      { name: 'joined_on', label: 'field.joined_on', type: 'date', required: true, value: today() },
    ],
    onSubmit: (values, key) => post(`${base(coop.id)}/members`, values, { key }),
    onSuccess: (m) => navigate(`/koperasi/${coop.id}/anggota/${m.id}?registered=1${(m.warnings || []).length ? `&warn=${encodeURIComponent(m.warnings.map((w) => w.code).join(','))}` : ''}`),
  });
  nikFeedback(feedback, '', null);
  return h('section', {}, h('h1', {}, t('members.new')), coopTabs(coop, 'tab.members'), h('div', { class: 'card' }, f.el));
}

export async function importPage(params) {
  const coop = await coopOf(params.coop);
  if (!can('coop.write')) throw new ApiError(403, 'forbidden');
  const bar = h('progress', { id: 'import-progress', max: 1, value: 0, 'aria-labelledby': 'import-progress-label' });
  const label = h('p', { id: 'import-progress-label', 'aria-live': 'polite' }, t('import.waiting'));
  const results = h('div', { id: 'import-result' });
  const show = (job) => {
    bar.max = Math.max(1, job.rows_total || 0);
    bar.value = job.rows_done + (job.rows_failed || 0);
    bar.dataset.done = String(job.rows_done || 0);
    bar.dataset.total = String(job.rows_total || 0);
    label.textContent = t('import.progress', { done: formatCount(job.rows_done || 0), total: formatCount(job.rows_total || 0), failed: formatCount(job.rows_failed || 0) });
  };
  const f = form({
    submit: 'action.import',
    fields: [{ name: 'file', label: 'field.csv_file', type: 'file', accept: '.csv,text/csv', required: true, hint: 'hint.csv', local: true }],
    onSubmit: async (values, key, fields) => {
      const file = fields[0].read().value;
      if (!file) throw new ApiError(400, 'required', 'file');
      label.textContent = t('import.uploading');
      const raw = await file.arrayBuffer();
      const started = await api('POST', `${base(coop.id)}/members/import`, { raw, contentType: 'text/csv', key });
      let job = await get(`/api/v1/jobs/${started.job_id}`);
      show(job);
      // Follow the job until every row was looked at (a big file runs for a while).
      while (job.state !== 'done' && job.state !== 'failed') {
        await new Promise((r) => setTimeout(r, 300));
        job = await get(`/api/v1/jobs/${started.job_id}`);
        show(job);
      }
      return job;
    },
    onSuccess: (job) => {
      results.replaceChildren(
        h('p', { class: job.rows_failed ? 'notice warn' : 'notice', role: 'status', id: 'import-summary' },
          t('import.done', { imported: formatCount(job.rows_imported || 0), existing: formatCount(job.rows_existing || 0), failed: formatCount(job.rows_failed || 0) })),
        (job.errors || []).length ? table(t('import.errors'), [
          { label: t('field.row'), value: (e) => String(e.row), num: true },
          { label: t('field.column'), value: (e) => e.field || '—' },
          { label: t('field.problem'), value: (e) => t(`error.${e.code}`) !== `error.${e.code}` ? t(`error.${e.code}`) : e.code },
          { label: t('field.detail'), value: (e) => e.message || '' },
        ], job.errors, { id: 'import-errors' }) : null,
        job.errors_truncated ? h('p', {}, t('import.truncated')) : null);
    },
  });
  return h('section', {}, h('h1', {}, t('members.import')), coopTabs(coop, 'tab.members'),
    h('div', { class: 'card' }, h('p', {}, t('import.intro')), h('p', { class: 'hint' }, 'nik,name,sex,birth_date,address,phone,joined_on'),
      h('p', { class: 'actions', role: 'group', 'aria-label': t('download.template') },
        fileLink(`${base(coop.id)}/members/import-template`, 'csv', 'download.template_csv', 'template-csv'),
        fileLink(`${base(coop.id)}/members/import-template`, 'csv-excel', 'download.template_csv_excel', 'template-csv-excel'),
        fileLink(`${base(coop.id)}/members/import-template`, 'xlsx', 'download.template_xlsx', 'template-xlsx')),
      f.el,
      h('div', { class: 'field' }, label, bar)), results);
}

const KINDS = ['principal', 'mandatory', 'voluntary', 'time_deposit'];

// Pays out a matured time deposit (amount + interest) with its own Idempotency-Key.
function closeTimeDeposit(coopId, memberId, x) {
  const f = form({
    submit: 'savings.close_time_deposit', cls: 'inline',
    fields: [{ name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today() }],
    onSubmit: (values, key) => post(`${base(coopId)}/withdrawals`, { ...values, member_id: memberId, kind: 'time_deposit', time_deposit_id: x.id }, { key }),
    onSuccess: () => navigate(`/koperasi/${coopId}/anggota/${memberId}`, true),
  });
  return f.el;
}

export async function memberPage(params, query) {
  const coop = await coopOf(params.coop);
  const m = await get(`${base(coop.id)}/members/${encodeURIComponent(params.member)}`);
  const acc = await get(`${base(coop.id)}/members/${m.id}/accounts`);
  const loans = await get(`${base(coop.id)}/loans?member_id=${m.id}`).catch(() => ({ items: [] }));
  const mandatory = (acc.items || []).find((i) => i.kind === 'mandatory') || {};
  const warnings = (query.get('warn') || '').split(',').filter(Boolean);
  const access = can('coop.write') ? memberAccess(coop, m) : {};
  return h('section', {},
    h('h1', {}, m.name),
    coopTabs(coop, 'tab.members'),
    query.get('registered') ? h('p', { class: 'notice', role: 'status' }, t('members.registered', { number: m.member_number })) : null,
    warnings.map((w) => h('p', { class: 'notice warn' }, t(`warning.${w}`))),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('members.identity')), facts([
        [t('field.member_number'), m.member_number], [t('field.nik'), m.nik], [t('field.sex'), t(`sex.${m.sex}`)],
        [t('field.birth_date'), formatDate(m.birth_date)], [t('field.address'), m.address || '—'],
        [t('field.phone'), m.phone || '—'], [t('field.joined_on'), formatDate(m.joined_on)],
        [t('field.status'), t(`member_status.${m.status}`)],
      ])),
      h('div', { class: 'card', id: 'savings' }, h('h2', {}, t('members.savings')), facts(
        KINDS.map((k) => { const i = (acc.items || []).find((x) => x.kind === k); return i ? [t(`savings.${k}`), formatMoney(i.balance)] : null; })
          .concat([[t('members.arrears'), h('span', { id: 'arrears' }, formatMoney(mandatory.arrears || '0'), mandatory.periods_due !== undefined ? ` (${t('members.periods_due', { n: mandatory.periods_due })})` : '')]])),
      h('p', { class: 'actions' },
        can('coop.write') && m.status === 'active' ? h('a', { class: 'button', href: `/koperasi/${coop.id}/simpanan?member=${m.id}` }, t('members.deposit')) : null,
        can('coop.write') && m.status === 'active' ? h('a', { class: 'button secondary', href: `/koperasi/${coop.id}/pinjaman/baru?member=${m.id}` }, t('loans.apply')) : null,
        h('a', { class: 'button secondary', href: `/koperasi/${coop.id}/anggota/${m.id}/mutasi` }, t('members.statement')),
        fileLink(`${base(coop.id)}/members/${m.id}/statement`, 'pdf', 'download.statement_pdf', 'statement-pdf'),
        can('coop.write') && m.status === 'active' ? h('a', { class: 'button secondary', href: `/koperasi/${coop.id}/anggota/${m.id}/ubah` }, t('members.edit_short')) : null,
        can('coop.write') && m.status === 'active' ? h('a', { class: 'button secondary', href: `/koperasi/${coop.id}/anggota/${m.id}/keluar` }, t('members.exit')) : null,
        access.button || null))),
    access.panel || null, access.slip || null,
    (acc.time_deposits || []).length ? [h('h2', {}, t('savings.time_deposit')), table(t('savings.time_deposit'), [
      { label: t('field.amount'), value: (x) => formatMoney(x.amount), num: true },
      { label: t('field.term_months'), value: (x) => String(x.term_months), num: true },
      { label: t('field.annual_rate'), value: (x) => formatPercent(x.annual_rate), num: true },
      { label: t('savings.opened_on'), value: (x) => formatDate(x.opened_on) },
      { label: t('savings.maturity_on'), value: (x) => formatDate(x.maturity_on) },
      { label: t('field.interest'), value: (x) => formatMoney(x.interest), num: true },
      { label: t('field.status'), value: (x) => (x.status === 'open' && can('coop.write') ? closeTimeDeposit(coop.id, m.id, x) : t(`td_status.${x.status}`)) },
    ], acc.time_deposits, { id: 'time-deposits' })] : null,
    h('h2', {}, t('members.loans')),
    (loans.items || []).length ? table(t('members.loans'), [
      { label: t('field.loan'), value: (l) => h('a', { href: `/koperasi/${coop.id}/pinjaman/${l.id}` }, t('loans.number', { id: l.id })) },
      { label: t('field.principal'), value: (l) => formatMoney(l.principal), num: true },
      { label: t('field.outstanding'), value: (l) => formatMoney(onBooks(l)), num: true },
      { label: t('field.status'), value: (l) => t(`loan_status.${l.status}`) },
      { label: t('field.class'), value: (l) => (l.class ? t(`class.${l.class}`) : '—') },
      { label: t('download.card'), value: (l) => fileLink(`${base(coop.id)}/loans/${l.id}/card`, 'pdf', 'download.card_pdf') },
    ], loans.items, { id: 'member-loans' }) : h('p', {}, t('members.no_loans')));
}

export async function statementPage(params) {
  const coop = await coopOf(params.coop);
  const s = await get(`${base(coop.id)}/members/${encodeURIComponent(params.member)}/statement`);
  const print = h('button', { type: 'button', class: 'no-print' }, t('action.print'));
  print.addEventListener('click', () => window.print());
  return h('section', {},
    h('h1', {}, t('statement.title', { name: s.name })),
    coopTabs(coop, 'tab.members'),
    h('p', { class: 'print-only' }, coop.name),
    facts([[t('field.member_number'), s.member_number], [t('statement.until'), formatDate(s.to)],
      [t('statement.opening'), formatMoney(s.opening_total)], [t('statement.closing'), formatMoney(s.closing_total)]]),
    h('p', { class: 'actions' }, print,
      downloads(`${base(coop.id)}/members/${s.member_id}/statement`, ['csv', 'csv-excel', 'pdf'])),
    table(t('statement.lines'), [
      { label: t('field.date'), value: (l) => formatDate(l.value_date) },
      { label: t('field.kind'), value: (l) => t(`savings.${l.kind}`) },
      { label: t('field.memo'), value: (l) => l.memo || '' },
      { label: t('field.amount'), value: (l) => formatMoney(l.amount), num: true },
      { label: t('field.balance'), value: (l) => formatMoney(l.balance), num: true },
      { label: t('field.total_balance'), value: (l) => formatMoney(l.total_balance), num: true },
    ], s.lines || [], { id: 'statement' }));
}

export async function editPage(params) {
  const coop = await coopOf(params.coop);
  if (!can('coop.write')) throw new ApiError(403, 'forbidden');
  const m = await get(`${base(coop.id)}/members/${encodeURIComponent(params.member)}`);
  const f = form({
    submit: 'action.save',
    fields: [
      { name: 'name', label: 'field.full_name', required: true, value: m.name },
      { name: 'address', label: 'field.address', value: m.address || '' },
      { name: 'phone', label: 'field.phone', inputmode: 'tel', value: m.phone || '' },
    ],
    onSubmit: (values, key) => api('PATCH', `${base(coop.id)}/members/${m.id}`, { body: values, key }),
    onSuccess: () => navigate(`/koperasi/${coop.id}/anggota/${m.id}`, true),
  });
  return h('section', {}, h('h1', {}, t('members.edit', { name: m.name })), coopTabs(coop, 'tab.members'), h('div', { class: 'card' }, f.el));
}

// The settlement is shown before the exit is confirmed: the savings refunded net of what the
// member owes on loans, from the member's accounts as of today (the service's rule,
// docs/transactions.md); after confirming, the settlement the server posted is shown.
function sum(values) {
  let total = 0n;
  for (const v of values) {
    const [i, f = ''] = String(v || '0').replace('-', '').split('.');
    const sen = BigInt(i) * 100n + BigInt((f + '00').slice(0, 2));
    total += String(v || '').startsWith('-') ? -sen : sen;
  }
  const neg = total < 0n;
  const a = neg ? -total : total;
  return `${neg ? '-' : ''}${a / 100n}${a % 100n ? `.${String(a % 100n).padStart(2, '0')}` : ''}`;
}

function settlementFacts(s) {
  return facts([
    [t('savings.principal'), formatMoney(s.principal || '0')], [t('savings.mandatory'), formatMoney(s.mandatory || '0')],
    [t('savings.voluntary'), formatMoney(s.voluntary || '0')], [t('members.refund'), formatMoney(s.refund || '0')],
    [t('members.debts'), formatMoney(s.debts || '0')], [t('members.net'), formatMoney(s.net || '0')]]);
}

export async function exitPage(params) {
  const coop = await coopOf(params.coop);
  if (!can('coop.write')) throw new ApiError(403, 'forbidden');
  const m = await get(`${base(coop.id)}/members/${encodeURIComponent(params.member)}`);
  const acc = await get(`${base(coop.id)}/members/${m.id}/accounts`);
  const bal = (k) => ((acc.items || []).find((i) => i.kind === k) || {}).balance || '0';
  const est = { principal: bal('principal'), mandatory: bal('mandatory'), voluntary: bal('voluntary') };
  est.refund = sum([est.principal, est.mandatory, est.voluntary]);
  est.debts = sum((acc.loans || []).map((l) => l.outstanding));
  est.net = sum([est.refund, `-${est.debts}`.replace('--', '')]);
  const done = h('div', { id: 'exit-result', 'aria-live': 'polite' });
  const f = form({
    submit: 'members.exit_confirm',
    fields: [
      { name: 'reason', label: 'field.exit_reason', type: 'select', required: true, options: [['', 'option.choose'], ['resigned', 'exit.resigned'], ['deceased', 'exit.deceased'], ['expelled', 'exit.expelled']] },
      { name: 'exit_on', label: 'field.exit_on', type: 'date', required: true, value: acc.as_of || today() },
      { name: 'note', label: 'field.note' },
    ],
    onSubmit: (values, key) => post(`${base(coop.id)}/members/${m.id}/exit`, values, { key }),
    onSuccess: (r) => {
      form_card.replaceChildren();
      done.replaceChildren(h('div', { class: 'notice', role: 'status' }, h('strong', {}, t('members.exited', { name: m.name })), settlementFacts(r)),
        h('p', {}, h('a', { href: `/koperasi/${coop.id}/anggota/${m.id}` }, t('members.back'))));
    },
  });
  const form_card = h('div', { class: 'card' }, h('p', {}, t('members.exit_intro')), f.el);
  return h('section', {}, h('h1', {}, t('members.exit_title', { name: m.name })), coopTabs(coop, 'tab.members'),
    h('div', { class: 'card', id: 'settlement' }, h('h2', {}, t('members.settlement')), h('p', { class: 'hint' }, t('members.settlement_estimate', { date: formatDate(acc.as_of) })), settlementFacts(est),
      est.net.startsWith('-') ? h('p', { class: 'notice warn' }, t('members.still_owes')) : null),
    form_card, done);
}
