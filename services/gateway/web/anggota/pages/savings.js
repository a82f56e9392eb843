// savings — what the member holds: every savings balance and the mandatory arrears (home),
// each loan with its schedule, what is overdue and the payoff amount today, and the savings
// statement of a period with a printable view. All from GET /api/v1/member/overview and
// /api/v1/member/statement (reporting's projections; ids from the session).
import { h, table, facts } from '../../app/dom.js';
import { get } from '../../app/api.js';
import { t, formatMoney, formatDate, formatDecimal, parseDate, today } from '../i18n.js';
import { navigate } from '../../app/nav.js';
import { asOf } from '../page.js';

const money = (v) => formatMoney(v || '0');
// "1066185.46" -> 106618546n: amounts compared and summed exactly, never as floats.
function sen(text) {
  const [int, frac = ''] = String(text || '0').replace('-', '').split('.');
  const v = BigInt(int || '0') * 100n + BigInt((frac + '00').slice(0, 2));
  return String(text || '').startsWith('-') ? -v : v;
}
const decimal = (v) => `${v < 0n ? '-' : ''}${(v < 0n ? -v : v) / 100n}.${String((v < 0n ? -v : v) % 100n).padStart(2, '0')}`;

function sum(label, value, id, extra) {
  return h('div', { class: 'card' }, h('p', {}, label), h('p', { class: 'figure', id }, value), extra || null);
}

export async function homePage() {
  const o = await get('/api/v1/member/overview');
  const mandatory = o.savings.find((a) => a.kind === 'mandatory') || {};
  const outstandingText = decimal(o.loans.reduce((n, l) => n + sen(l.loan.outstanding_principal), 0n));
  return h('section', {},
    h('h1', {}, t('home.title')),
    asOf(o.as_of_seq),
    h('p', {}, o.cooperative_name, ' · ', t('home.joined', { date: formatDate(o.joined_on) })),
    h('div', { class: 'sums' },
      sum(t('home.total'), money(o.savings_total), 'savings-total'),
      sum(t('home.arrears'), money(o.mandatory_arrears), 'mandatory-arrears',
        h('p', { class: 'hint', id: 'arrears-periods' }, mandatory.periods_due !== undefined
          ? t('home.periods', { periods: mandatory.periods_due, date: formatDate(o.as_of), due: money(mandatory.due) }) : null)),
      o.loans.length ? sum(t('home.loans_summary'), money(outstandingText), 'loans-outstanding') : null),
    table(t('home.title'), [
      { label: t('col.kind'), value: (a) => t(`kind.${a.kind}`) },
      { label: t('col.balance'), value: (a) => money(a.balance), num: true },
    ], o.savings, { id: 'savings' }));
}

function instalmentState(i) {
  if (sen(i.total) - sen(i.paid) <= 0n) return t('loans.state_paid');
  if (i.overdue) return t('loans.state_overdue');
  return sen(i.paid) > 0n ? t('loans.state_part') : t('loans.state_open');
}

function loanCard(ml) {
  const l = ml.loan;
  return h('article', { class: 'card', id: `loan-${l.id}` },
    h('h2', {}, t('loans.loan', { id: l.id }), ' ', h('span', { class: 'badge' }, t(`status.${l.status}`))),
    facts([
      [t('loans.principal'), money(l.principal)],
      [t('loans.outstanding'), h('span', { class: 'outstanding' }, money(l.outstanding_principal))],
      [t('loans.overdue', { n: l.instalments_overdue || 0 }), h('span', { class: 'arrears' }, money(l.arrears))],
      [t('loans.payoff'), h('span', { class: 'payoff' }, money(ml.payoff))],
      ml.next_due_on ? [t('loans.next'), t('loans.next_text', { amount: money(ml.next_due), date: formatDate(ml.next_due_on) })] : null,
    ]),
    h('p', { class: 'hint' }, t('loans.terms', { n: l.instalments, rate: formatDecimal(l.annual_rate, 2) }), '. ', t('loans.payoff_note')),
    table(t('loans.schedule', { id: l.id }), [
      { label: t('col.number'), value: (i) => String(i.number) },
      { label: t('col.due_on'), value: (i) => formatDate(i.due_on) },
      { label: t('col.principal'), value: (i) => money(i.principal), num: true },
      { label: t('col.interest'), value: (i) => money(i.interest), num: true },
      { label: t('col.total'), value: (i) => money(i.total), num: true },
      { label: t('col.paid'), value: (i) => money(i.paid), num: true },
      { label: t('col.state'), value: instalmentState },
    ], l.schedule, { class: 'schedule' }));
}

export async function loansPage() {
  const o = await get('/api/v1/member/overview');
  const node = h('section', {}, h('h1', {}, t('loans.title')), asOf(o.as_of_seq),
    o.loans.length ? o.loans.map(loanCard) : h('p', {}, t('loans.none')));
  for (const row of node.querySelectorAll('table.schedule tbody tr')) {
    if (row.lastChild.textContent === t('loans.state_overdue')) row.classList.add('overdue');
  }
  return node;
}

function periodForm(from, to) {
  const field = (name, label, value) => h('div', { class: 'field' },
    h('label', { for: `p-${name}` }, t(label)),
    h('input', { id: `p-${name}`, name, value: formatDate(value), inputmode: 'numeric', 'aria-describedby': 'p-hint' }));
  return h('form', { class: 'search no-print', method: 'get', action: '/anggota/mutasi' },
    field('dari', 'field.from', from), field('sampai', 'field.to', to),
    h('button', { type: 'submit' }, t('action.show')),
    h('span', { class: 'hint', id: 'p-hint' }, t('hint.date')));
}

export async function statementPage(query) {
  const to = parseDate(query.get('sampai')) || today();
  const from = parseDate(query.get('dari')) || `${to.slice(0, 4)}-01-01`;
  const [s, o] = await Promise.all([get(`/api/v1/member/statement?from=${from}&to=${to}`),
    get(`/api/v1/member/overview?as_of=${to}`)]);
  const printButton = h('button', { type: 'button', class: 'secondary no-print', id: 'print' }, t('action.print'));
  printButton.addEventListener('click', () => window.print());
  const closing = Object.fromEntries((s.closing || []).map((b) => [b.kind, b.balance]));
  const form = periodForm(from, to);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ dari: parseDate(form.dari.value) || from, sampai: parseDate(form.sampai.value) || to });
    navigate(`/anggota/mutasi?${q}`);
  });
  return h('section', {},
    h('h1', {}, t('statement.title')),
    h('p', { class: 'print-only' }, t('statement.print_head', { coop: o.cooperative_name, name: s.name, number: s.member_number })),
    asOf(s.as_of_seq),
    form,
    h('p', { id: 'period' }, t('statement.period', { from: formatDate(from), to: formatDate(to) })),
    facts([[t('statement.opening'), h('span', { id: 'opening' }, money(s.opening_total))],
      [t('statement.closing'), h('span', { id: 'closing' }, money(s.closing_total))]]),
    s.lines && s.lines.length ? table(t('statement.lines'), [
      { label: t('col.date'), value: (l) => formatDate(l.value_date) },
      { label: t('col.kind'), value: (l) => t(`kind.${l.kind}`) },
      { label: t('col.memo'), value: (l) => l.memo || '' },
      { label: t('col.amount'), value: (l) => money(l.amount), num: true },
      { label: t('col.total_balance'), value: (l) => money(l.total_balance), num: true },
    ], s.lines, { id: 'statement-lines' }) : h('p', {}, t('statement.none')),
    table(t('statement.closing'), [
      { label: t('col.kind'), value: (k) => t(`kind.${k}`) },
      { label: t('col.balance'), value: (k) => money(closing[k]), num: true },
    ], Object.keys(closing)),
    h('div', { class: 'actions' }, printButton,
      h('a', { class: 'button secondary no-print', id: 'pdf', href: `/api/v1/member/statement?from=${from}&to=${to}&format=pdf`, download: '' }, t('action.pdf'))));
}
