// coop — the member's SHU share of each fiscal year with how it was computed (capital share
// and usage share, GET /api/v1/member/shu: the cooperative's totals and only the member's own
// line), and the cooperative's annual meetings (RAT) with the reports presented there: the
// balance sheet at the year end, the income statement of the year and the SHU totals.
import { h, table, facts } from '../../app/dom.js';
import { get } from '../../app/api.js';
import { t, formatMoney, formatDate, formatDecimal } from '../i18n.js';
import { navigate } from '../../app/nav.js';
import { asOf } from '../page.js';

const money = (v) => formatMoney(v || '0');
const PARTS = ['reserves', 'capital_share', 'usage_share', 'board', 'staff', 'education', 'social'];

function yearPicker(path, name, years, current) {
  const select = h('select', { id: 'year', name },
    years.map((y) => h('option', { value: String(y), selected: String(y) === String(current) || null }, String(y))));
  const f = h('form', { class: 'search no-print', method: 'get', action: path },
    h('div', { class: 'field' }, h('label', { for: 'year' }, t('field.year')), select),
    h('button', { type: 'submit' }, t('action.show')));
  f.addEventListener('submit', (ev) => { ev.preventDefault(); navigate(`${path}?${name}=${select.value}`); });
  return f;
}

function how(s, m) {
  const rates = s.allocation_rates || {};
  const shared = money(s.shared_surplus);
  const basis = s.usage_share_basis === 'loans_taken' ? 'shu.participation_loans' : 'shu.participation';
  const formula = (rate, mine, all, result) => `${t('shu.rate_of', { rate: formatDecimal(rate || '0', 0), shared })} × ${formatDecimal(mine, 2)} ÷ ${formatDecimal(all, 2)} = ${money(result)}`;
  return h('div', { class: 'card', id: 'shu-how' }, h('h2', {}, t('shu.how')), facts([
    [t('shu.surplus'), money(s.surplus)],
    [t('shu.shared'), shared],
    [t('shu.capital'), money(m.capital)],
    [t('shu.total_capital'), money(s.total_capital)],
    [t('shu.capital_share'), h('span', { id: 'capital-share' }, formula(rates.capital_share, m.capital, s.total_capital, m.capital_share))],
    [t(basis), money(m.participation)],
    [t('shu.total_participation'), money(s.total_participation)],
    [t('shu.usage_share'), h('span', { id: 'usage-share' }, formula(rates.usage_share, m.participation, s.total_participation, m.usage_share))],
  ]));
}

export async function shuPage(query) {
  const o = await get('/api/v1/member/overview');
  const thisYear = Number(o.as_of.slice(0, 4));
  const first = Number((o.joined_on || o.as_of).slice(0, 4));
  const years = [];
  for (let y = thisYear; y >= first; y--) years.push(y);
  const year = Number(query.get('tahun')) || Math.max(first, thisYear - 1);
  const s = await get(`/api/v1/member/shu?year=${year}`);
  const m = (s.members || [])[0];
  return h('section', {},
    h('h1', {}, t('shu.title')), asOf(s.as_of_seq),
    yearPicker('/anggota/shu', 'tahun', years, year),
    h('p', {}, t('shu.year', { year: s.year, from: formatDate(s.from), to: formatDate(s.to) })),
    m ? [h('div', { class: 'sums' },
      h('div', { class: 'card' }, h('p', {}, t('shu.capital_share')), h('p', { class: 'figure' }, money(m.capital_share))),
      h('div', { class: 'card' }, h('p', {}, t('shu.usage_share')), h('p', { class: 'figure' }, money(m.usage_share))),
      h('div', { class: 'card' }, h('p', {}, t('shu.total')), h('p', { class: 'figure', id: 'shu-total' }, money(m.total)))),
    how(s, m)] : h('p', { class: 'notice' }, t('shu.none')));
}

const yesNo = (v) => t(v ? 'rat.yes' : 'rat.no');

async function reports(year) {
  const s = await get(`/api/v1/member/shu?year=${year}`);
  const [b, i] = await Promise.all([get(`/api/v1/member/reports/balance-sheet?as_of=${s.to}`),
    get(`/api/v1/member/reports/income-statement?from=${s.from}&to=${s.to}`)]);
  const alloc = s.allocation || {};
  return [s.as_of_seq, h('div', { id: 'rat-reports' },
    h('h2', {}, t('rat.reports', { year })),
    h('div', { class: 'card' }, h('h3', {}, t('bs.title', { date: formatDate(b.as_of) })), facts([
      [t('bs.assets'), h('span', { id: 'bs-assets' }, money(b.total_assets))],
      [t('bs.liabilities'), money(b.total_liabilities)], [t('bs.equity'), money(b.total_equity)]])),
    h('div', { class: 'card' }, h('h3', {}, t('is.title', { from: formatDate(i.from), to: formatDate(i.to) })), facts([
      [t('is.income'), money(i.total_income)], [t('is.expenses'), money(i.total_expenses)],
      [t('is.surplus'), h('span', { id: 'is-surplus' }, money(i.surplus))]])),
    table(t('shu.allocation', { year }), [
      { label: t('col.kind'), value: (p) => t(`part.${p}`) },
      { label: t('col.amount'), value: (p) => money(alloc[p]), num: true },
    ], PARTS, { id: 'shu-allocation' }))];
}

export async function ratPage(query) {
  const list = await get('/api/v1/member/annual-meetings');
  const items = (list.items || []).slice().sort((a, b) => b.fiscal_year - a.fiscal_year);
  const year = Number(query.get('tahun')) || (items[0] && items[0].fiscal_year);
  const shown = items.find((r) => r.fiscal_year === year);
  const meeting = (r) => h('article', { class: 'card' }, h('h2', {}, t('rat.item', { year: r.fiscal_year })), facts([
    [t('rat.held_on'), formatDate(r.held_on)], [t('rat.present'), String(r.members_present ?? '')],
    [t('rat.quorum'), yesNo(r.quorum)], [t('rat.accounts'), yesNo(r.accounts_approved)],
    [t('rat.shu'), yesNo(r.shu_approved)], [t('rat.plan'), yesNo(r.plan_approved)],
    r.notes ? [t('rat.notes'), r.notes] : null]));
  const node = h('section', {}, h('h1', {}, t('rat.title')));
  if (!shown) {
    const o = await get('/api/v1/member/overview');
    node.append(asOf(o.as_of_seq), h('p', {}, t('rat.none')));
    return node;
  }
  const [seq, papers] = await reports(year);
  node.append(asOf(seq), yearPicker('/anggota/rat', 'tahun', items.map((r) => r.fiscal_year), year),
    meeting(shown), papers);
  return node;
}
