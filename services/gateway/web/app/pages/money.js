// Money: deposits and withdrawals, loans (portfolio, application with a live schedule preview,
// disbursement, repayment with the allocation shown) and the close of a business day.
import { h, table, facts } from '../dom.js';
import { t, formatMoney, formatDate, formatCount, formatPercent, today } from '../i18n.js';
import { get, post, ApiError } from '../api.js';
import { form } from '../form.js';
import { can } from '../session.js';
import { navigate } from '../nav.js';
import { coopOf, coopTabs } from './coops.js';
import { previewSchedule } from '../schedule.js';
import { fileLink } from '../downloads.js';

const base = (coop) => `/api/v1/cooperatives/${encodeURIComponent(coop)}`;
const FREQUENCIES = ['monthly', 'weekly', 'daily', 'bimonthly', 'quarterly', 'semiannual'];
const METHODS = ['flat', 'declining', 'annuity'];

async function memberOptions(coopId, chosen) {
  const page = await get(`${base(coopId)}/members?status=active&limit=500`);
  const items = page.items || [];
  if (chosen && !items.some((m) => m.id === chosen)) {
    try { items.unshift(await get(`${base(coopId)}/members/${encodeURIComponent(chosen)}`)); } catch (e) { /* not ours */ }
  }
  return [['', t('option.choose')]].concat(items.map((m) => [m.id, `${m.member_number} · ${m.name}`]));
}

function scheduleTable(caption, schedule, id) {
  return table(caption, [
    { label: t('field.number'), value: (i) => String(i.number), num: true },
    { label: t('field.due_on'), value: (i) => formatDate(i.due_on) },
    { label: t('field.principal'), value: (i) => formatMoney(i.principal), num: true },
    { label: t('field.interest'), value: (i) => formatMoney(i.interest), num: true },
    { label: t('field.instalment'), value: (i) => formatMoney(i.total), num: true },
    { label: t('field.balance_after'), value: (i) => formatMoney(i.balance_after), num: true },
  ].concat(schedule.some((i) => i.paid !== undefined) ? [
    { label: t('field.paid'), value: (i) => formatMoney(i.paid), num: true },
    { label: t('field.late_fee'), value: (i) => formatMoney(i.late_fee), num: true },
  ] : []), schedule, { id });
}

export async function savingsPage(params, query) {
  const coop = await coopOf(params.coop);
  if (!can('coop.write')) throw new ApiError(403, 'forbidden');
  const chosen = query.get('member') || '';
  const options = await memberOptions(coop.id, chosen);
  const result = h('div', { id: 'savings-result', 'aria-live': 'polite' });
  const make = (kindOp, title) => form({
    submit: kindOp === 'deposits' ? 'action.deposit' : 'action.withdraw',
    fields: [
      { name: 'member_id', label: 'field.member', type: 'select', options: options, rawOptions: true, value: chosen, required: true },
      { name: 'kind', label: 'field.savings_kind', type: 'select', options: ['voluntary', 'principal', 'mandatory'].map((k) => [k, `savings.${k}`]) },
      { name: 'amount', label: 'field.amount', type: 'amount', required: true, hint: 'hint.amount' },
      { name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today() },
      { name: 'note', label: 'field.note' },
    ],
    clearOnSuccess: ['amount'],
    onSubmit: (values, key) => post(`${base(coop.id)}/${kindOp}`, values, { key }),
    onSuccess: (r) => {
      result.replaceChildren(h('p', { class: 'notice', role: 'status' },
        t(kindOp === 'deposits' ? 'savings.deposited' : 'savings.withdrawn', { amount: formatMoney(r.amount), kind: t(`savings.${r.kind}`), balance: formatMoney(r.balance) })));
    },
  });
  const dep = make('deposits');
  const wd = make('withdrawals');
  const td = form({
    submit: 'savings.open_time_deposit',
    fields: [
      { name: 'member_id', label: 'field.member', type: 'select', options: options, rawOptions: true, value: chosen, required: true },
      { name: 'amount', label: 'field.amount', type: 'amount', required: true, hint: 'hint.amount' },
      { name: 'term_months', label: 'field.term_months', type: 'number', required: true, min: 1, max: 120, value: 12 },
      { name: 'annual_rate', label: 'field.annual_rate', required: true, inputmode: 'decimal', hint: 'hint.rate' },
      { name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today() },
    ],
    clearOnSuccess: ['amount'],
    onSubmit: (values, key) => post(`${base(coop.id)}/deposits`, { ...values, kind: 'time_deposit', annual_rate: String(values.annual_rate).replace(',', '.') }, { key }),
    onSuccess: (r) => {
      const x = r.time_deposit || {};
      result.replaceChildren(h('p', { class: 'notice', role: 'status' }, t('savings.time_deposit_opened', {
        amount: formatMoney(x.amount || r.amount), maturity: formatDate(x.maturity_on), interest: formatMoney(x.interest || '0') })));
    },
  });
  return h('section', {}, h('h1', {}, t('savings.title')), coopTabs(coop, 'tab.savings'), result,
    h('div', { class: 'grid' },
      h('div', { class: 'card', id: 'deposit' }, h('h2', {}, t('savings.deposit')), dep.el),
      h('div', { class: 'card', id: 'withdrawal' }, h('h2', {}, t('savings.withdrawal')), wd.el),
      h('div', { class: 'card', id: 'time-deposit' }, h('h2', {}, t('savings.time_deposit')), td.el)));
}

export async function loansPage(params) {
  const coop = await coopOf(params.coop);
  const [data, portfolio, people] = await Promise.all([get(`${base(coop.id)}/loans?limit=200`),
    get(`${base(coop.id)}/reports/loan-portfolio`), get(`${base(coop.id)}/members?limit=500`)]);
  const items = data.items || [];
  const names = new Map((people.items || []).map((m) => [m.id, m.name]));
  return h('section', {}, h('h1', {}, t('loans.title')), coopTabs(coop, 'tab.loans'),
    can('coop.write') ? h('p', {}, h('a', { class: 'button', href: `/koperasi/${coop.id}/pinjaman/baru` }, t('loans.apply'))) : null,
    table(t('loans.by_class'), [
      { label: t('field.class'), value: (c) => t(`class.${c.class}`) },
      { label: t('report.loans'), value: (c) => formatCount(c.loans || 0), num: true },
      { label: t('field.outstanding'), value: (c) => formatMoney(c.outstanding_principal || '0'), num: true },
      { label: t('close.allowance'), value: (c) => formatMoney(c.allowance || '0'), num: true },
    ], portfolio.classes || [], { id: 'portfolio' }),
    writtenOffView(coop.id, portfolio, names),
    items.length ? table(t('loans.title'), [
      { label: t('field.loan'), value: (l) => h('a', { href: `/koperasi/${coop.id}/pinjaman/${l.id}` }, t('loans.number', { id: l.id })) },
      { label: t('field.member'), value: (l) => h('a', { href: `/koperasi/${coop.id}/anggota/${l.member_id}` }, names.get(l.member_id) || `#${l.member_id}`) },
      { label: t('field.principal'), value: (l) => formatMoney(l.principal), num: true },
      { label: t('field.outstanding'), value: (l) => formatMoney(onBooks(l)), num: true },
      { label: t('field.status'), value: (l) => t(`loan_status.${l.status}`) },
      { label: t('field.class'), value: (l) => (l.class ? t(`class.${l.class}`) : '—') },
    ], items, { id: 'loan-list' }) : h('p', {}, t('loans.none')));
}

export async function applyPage(params, query) {
  const coop = await coopOf(params.coop);
  if (!can('coop.write')) throw new ApiError(403, 'forbidden');
  const chosen = query.get('member') || '';
  const options = await memberOptions(coop.id, chosen);
  const preview = h('div', { id: 'loan-preview', 'aria-live': 'polite' }, h('p', { class: 'hint' }, t('loans.preview_wait')));
  const rate = coop.settings && coop.settings.loan_annual_rate !== '0' ? coop.settings.loan_annual_rate : '';
  let f;
  const update = () => {
    const v = {};
    for (const fl of f.fields) { const r = fl.read(); if (!r.error) v[fl.spec.name] = r.value; }
    const p = previewSchedule({ ...v, instalments: v.instalments });
    if (!p) { preview.replaceChildren(h('p', { class: 'hint' }, t('loans.preview_wait'))); return; }
    preview.replaceChildren(h('h2', {}, t('loans.preview')),
      facts([[t('field.instalment'), formatMoney(p.schedule[0].total)], [t('loans.total_interest'), formatMoney(p.total_interest)], [t('loans.total'), formatMoney(p.total)]]),
      scheduleTable(t('loans.preview'), p.schedule, 'preview-schedule'));
  };
  f = form({
    submit: 'action.apply',
    fields: [
      { name: 'member_id', label: 'field.member', type: 'select', options, rawOptions: true, value: chosen, required: true },
      { name: 'principal', label: 'field.principal', type: 'amount', required: true, onInput: () => update() },
      { name: 'annual_rate', label: 'field.annual_rate', required: true, value: rate, inputmode: 'decimal', hint: 'hint.rate', onInput: () => update() },
      { name: 'instalments', label: 'field.instalments', type: 'number', required: true, value: 12, min: 1, max: 360, onInput: () => update() },
      { name: 'frequency', label: 'field.frequency', type: 'select', options: FREQUENCIES.map((x) => [x, `frequency.${x}`]) },
      { name: 'method', label: 'field.method', type: 'select', options: METHODS.map((x) => [x, `method.${x}`]) },
      { name: 'applied_on', label: 'field.applied_on', type: 'date', required: true, value: today() },
      { name: 'first_due_on', label: 'field.first_due_on', type: 'date', required: true, onInput: () => update() },
    ],
    onSubmit: (values, key) => post(`${base(coop.id)}/loans`, values, { key }),
    onSuccess: (loan) => navigate(`/koperasi/${coop.id}/pinjaman/${loan.id}?applied=1`),
  });
  f.el.addEventListener('change', update);
  // the annual rate's comma: "12,5" is 12.5 %
  f.byName('annual_rate').read = ((orig) => () => { const r = orig(); return r.value ? { value: r.value.replace(',', '.') } : r; })(f.byName('annual_rate').read);
  return h('section', {}, h('h1', {}, t('loans.apply')), coopTabs(coop, 'tab.loans'),
    h('div', { class: 'card' }, f.el), h('div', { class: 'card' }, preview));
}

// Written-off loans and the recoveries on them: off the books, so apart from the classes.
function writtenOffView(coopId, p, names) {
  if (!p.written_off_loans) return null;
  const member = (id) => h('a', { href: `/koperasi/${coopId}/anggota/${id}` }, names.get(id) || `#${id}`);
  return h('div', { id: 'written-off' }, h('h2', {}, t('loans.written_off_title')),
    facts([[t('loans.written_off_loans'), formatCount(p.written_off_loans)], [t('loans.written_off_principal'), formatMoney(p.written_off || '0')],
      [t('loans.recovered'), formatMoney(p.recovered || '0')], [t('loans.still_owed'), formatMoney(p.written_off_still_owed || '0')]]),
    table(t('loans.written_off_title'), [
      { label: t('field.loan'), value: (w) => h('a', { href: `/koperasi/${coopId}/pinjaman/${w.loan_id}` }, t('loans.number', { id: w.loan_id })) },
      { label: t('field.member'), value: (w) => member(w.member_id) },
      { label: t('loans.written_off_on'), value: (w) => formatDate(w.written_off_on) },
      { label: t('loans.written_off_principal'), value: (w) => formatMoney(w.principal || '0'), num: true },
      { label: t('loans.written_off_owed'), value: (w) => formatMoney(w.owed || '0'), num: true },
      { label: t('loans.recovered'), value: (w) => formatMoney(w.recovered || '0'), num: true },
      { label: t('loans.still_owed'), value: (w) => formatMoney(w.still_owed || '0'), num: true },
    ], p.write_offs || [], { id: 'write-offs' }),
    (p.recoveries || []).length ? table(t('loans.recoveries'), [
      { label: t('field.loan'), value: (r) => t('loans.number', { id: r.loan_id }) },
      { label: t('field.date'), value: (r) => formatDate(r.value_date) },
      { label: t('field.amount'), value: (r) => formatMoney(r.amount), num: true },
      { label: t('loans.still_owed'), value: (r) => formatMoney(r.still_owed || '0'), num: true },
    ], p.recoveries, { id: 'recoveries' }) : null);
}

// The principal a loan has on the books: none once written off (the claim on the member is
// shown apart, still_owed) or cancelled (never lent).
export function onBooks(l) {
  if (l.status === 'written_off' || l.status === 'cancelled') return '0';
  return l.outstanding_principal ?? l.principal;
}

function allocationView(a) {
  return h('div', { class: 'notice', role: 'status', id: 'allocation' }, h('strong', {}, t('loans.allocation')), facts([
    [t('field.amount'), formatMoney(a.amount)], [t('field.late_fee'), formatMoney(a.late_fee || '0')],
    [t('field.interest'), formatMoney(a.interest || '0')], [t('field.principal'), formatMoney(a.principal || '0')]]));
}

export async function loanPage(params, query) {
  const coop = await coopOf(params.coop);
  const loan = await get(`${base(coop.id)}/loans/${encodeURIComponent(params.loan)}`);
  const member = await get(`${base(coop.id)}/members/${loan.member_id}`).catch(() => null);
  const result = h('div', { id: 'loan-result', 'aria-live': 'polite' });
  const disburse = can('coop.write') && loan.status === 'applied' ? form({
    submit: 'action.disburse',
    fields: [{ name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today() }],
    onSubmit: (values, key) => post(`${base(coop.id)}/loans/${loan.id}/disburse`, values, { key }),
    onSuccess: () => navigate(`/koperasi/${coop.id}/pinjaman/${loan.id}?disbursed=1`, true),
  }) : null;
  const repay = can('coop.write') && loan.status === 'active' ? form({
    submit: 'action.repay',
    fields: [
      { name: 'amount', label: 'field.amount', type: 'amount', required: true, hint: 'hint.amount' },
      { name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today() },
      { name: 'note', label: 'field.note' },
    ],
    onSubmit: (values, key) => post(`${base(coop.id)}/loans/${loan.id}/repayments`, values, { key }),
    onSuccess: async (r) => {
      const again = await loanPage(params, new URLSearchParams());
      document.getElementById('main').replaceChildren(again);
      document.getElementById('loan-result').replaceChildren(allocationView(r.allocation || {}));
    },
  }) : null;
  const again = (flag) => navigate(`/koperasi/${coop.id}/pinjaman/${loan.id}?${flag}=1`, true);
  // An application never disbursed can be cancelled; a loss loan written off; money received
  // on a written-off loan booked as a recovery. Errors naming loan_id (not_loss,
  // already_disbursed) are shown at the form's first field, the one the person acts on.
  const cancel = can('coop.write') && loan.status === 'applied' ? form({
    submit: 'action.cancel_loan',
    fields: [{ name: 'note', label: 'field.note', aliases: ['loan_id'] }],
    onSubmit: (values, key) => post(`${base(coop.id)}/loans/${loan.id}/cancel`, values, { key }),
    onSuccess: () => again('cancelled'),
  }) : null;
  const writeOff = can('coop.write') && loan.status === 'active' ? form({
    submit: 'action.write_off',
    fields: [
      { name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today(), aliases: ['loan_id'] },
      { name: 'note', label: 'field.note' },
    ],
    onSubmit: (values, key) => post(`${base(coop.id)}/loans/${loan.id}/write-off`, values, { key }),
    onSuccess: () => again('written_off'),
  }) : null;
  const recover = can('coop.write') && loan.status === 'written_off' && !/^0(\.0+)?$/.test(loan.still_owed || '0') ? form({
    submit: 'action.recover',
    fields: [
      { name: 'amount', label: 'field.amount', type: 'amount', required: true, hint: 'hint.amount', aliases: ['loan_id'] },
      { name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today() },
      { name: 'note', label: 'field.note' },
    ],
    onSubmit: (values, key) => post(`${base(coop.id)}/loans/${loan.id}/recoveries`, values, { key }),
    onSuccess: () => again('recovered'),
  }) : null;
  const writtenOff = loan.status === 'written_off' ? [
    [t('loans.written_off_on'), formatDate(loan.written_off_on)],
    [t('loans.written_off_principal'), formatMoney(loan.written_off_principal || '0')],
    [t('loans.written_off_owed'), h('span', { id: 'loan-written-off-owed' }, formatMoney(loan.written_off_owed || '0'))],
    [t('loans.recovered'), h('span', { id: 'loan-recovered' }, formatMoney(loan.recovered || '0'))],
    [t('loans.still_owed'), h('span', { id: 'loan-still-owed' }, formatMoney(loan.still_owed || '0'))],
  ] : [];
  return h('section', {}, h('h1', {}, t('loans.number', { id: loan.id })), coopTabs(coop, 'tab.loans'),
    ['applied', 'disbursed', 'cancelled', 'written_off', 'recovered'].map((k) => (query.get(k) ? h('p', { class: 'notice', role: 'status' }, t(`loans.${k}`)) : null)),
    result,
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, facts([
        [t('field.member'), member ? h('a', { href: `/koperasi/${coop.id}/anggota/${member.id}` }, member.name) : loan.member_id],
        [t('field.principal'), formatMoney(loan.principal)], [t('field.annual_rate'), formatPercent(loan.annual_rate)],
        [t('field.instalments'), String(loan.instalments)], [t('field.frequency'), t(`frequency.${loan.frequency}`)],
        [t('field.method'), t(`method.${loan.method}`)], [t('field.status'), h('span', { id: 'loan-status' }, t(`loan_status.${loan.status}`))],
        [t('field.class'), loan.class ? t(`class.${loan.class}`) : '—'],
        [t('field.outstanding'), h('span', { id: 'loan-outstanding' }, formatMoney(onBooks(loan)))],
        [t('loans.total_interest'), formatMoney(loan.total_interest)],
      ].concat(loan.cancelled_on ? [[t('loans.cancelled_on'), formatDate(loan.cancelled_on)]] : [], writtenOff)),
      loan.status !== 'applied' && loan.status !== 'cancelled' ? h('p', { class: 'actions' },
        fileLink(`${base(coop.id)}/loans/${loan.id}/card`, 'pdf', 'download.card_pdf', 'loan-card-pdf')) : null),
      disburse ? h('div', { class: 'card', id: 'disburse' }, h('h2', {}, t('loans.disburse')), disburse.el) : null,
      repay ? h('div', { class: 'card', id: 'repay' }, h('h2', {}, t('loans.repay')), repay.el) : null,
      cancel ? h('div', { class: 'card', id: 'cancel' }, h('h2', {}, t('loans.cancel')), cancel.el) : null,
      writeOff ? h('div', { class: 'card', id: 'write-off' }, h('h2', {}, t('loans.write_off')), h('p', { class: 'hint' }, t('loans.write_off_hint')), writeOff.el) : null,
      recover ? h('div', { class: 'card', id: 'recovery' }, h('h2', {}, t('loans.recovery')), recover.el) : null),
    (loan.recoveries || []).length ? table(t('loans.recoveries'), [
      { label: t('field.date'), value: (r) => formatDate(r.value_date) },
      { label: t('field.amount'), value: (r) => formatMoney(r.amount), num: true },
    ], loan.recoveries, { id: 'loan-recoveries' }) : null,
    h('h2', {}, t('loans.schedule')), scheduleTable(t('loans.schedule'), loan.schedule || [], 'loan-schedule'));
}

export async function closeDayPage(params) {
  const coop = await coopOf(params.coop);
  if (!can('coop.write')) throw new ApiError(403, 'forbidden');
  const result = h('div', { id: 'close-result', 'aria-live': 'polite' });
  const f = form({
    submit: 'action.close_day',
    fields: [{ name: 'business_date', label: 'field.business_date', type: 'date', required: true, value: today() }],
    onSubmit: (values, key) => post(`${base(coop.id)}/close-day`, values, { key }),
    onSuccess: async (r) => {
      const p = await get(`${base(coop.id)}/reports/loan-portfolio?as_of=${r.business_date}`).catch(() => null);
      result.replaceChildren(h('div', { class: 'notice', role: 'status' }, h('strong', {}, t('close.done', { date: formatDate(r.business_date) })), facts([
        [t('close.loans'), formatCount(r.loans || 0)], [t('close.reclassified'), formatCount(r.reclassified || 0)],
        [t('close.late_fees'), formatMoney(r.late_fees || '0')], [t('close.outstanding'), formatMoney(r.outstanding_principal || '0')],
        p && p.allowance !== undefined ? [t('close.allowance'), formatMoney(p.allowance)] : null,
      ])));
    },
  });
  return h('section', {}, h('h1', {}, t('close.title')), coopTabs(coop, 'tab.close_day'),
    h('div', { class: 'card' }, h('p', {}, t('close.intro')), f.el), result);
}
