// Reports of one cooperative: balance sheet, income statement, trial balance, loan portfolio,
// health rating (every component's inputs, ratio, value and score) and SHU with each member's
// share; each with its downloads (CSV, CSV for Indonesian Excel, XLSX, PDF: the API's own
// ?format=), and the RAT pack (PDF) of the year.
import { h, table, facts } from '../dom.js';
import { t, formatMoney, formatDate, formatCount, formatDecimal, today, has } from '../i18n.js';
import { get } from '../api.js';
import { coopOf, coopTabs } from './coops.js';
import { managementForm } from './oversight.js';
import { can } from '../session.js';
import { downloads, fileLink } from '../downloads.js';

const base = (coop) => `/api/v1/cooperatives/${encodeURIComponent(coop)}`;
const REPORTS = ['balance-sheet', 'income-statement', 'trial-balance', 'loan-portfolio', 'health', 'shu'];

function queryFor(report, query) {
  const year = query.get('year') || today().slice(0, 4);
  if (report === 'income-statement') return `from=${year}-01-01&to=${year}-12-31`;
  if (report === 'health' || report === 'shu') return `year=${year}`;
  return '';
}

const accountRows = (caption, accounts) => table(caption, [
  { label: t('field.code'), value: (a) => a.code },
  { label: t('field.account'), value: (a) => a.name },
  { label: t('field.balance'), value: (a) => formatMoney(a.balance), num: true },
], accounts || []);

function balanceSheet(r) {
  return [facts([[t('report.total_assets'), formatMoney(r.total_assets)], [t('report.total_liabilities'), formatMoney(r.total_liabilities)], [t('report.total_equity'), formatMoney(r.total_equity)]]),
    (r.sections || []).map((s) => accountRows(t(`class_name.${s.class}`), s.accounts))];
}
function incomeStatement(r) {
  return [facts([[t('report.total_income'), formatMoney(r.total_income)], [t('report.total_expenses'), formatMoney(r.total_expenses)], [t('report.surplus'), formatMoney(r.surplus)]]),
    accountRows(t('report.income'), r.income), accountRows(t('report.expenses'), r.expenses)];
}
function trialBalance(r) {
  return table(t('report.trial-balance'), [
    { label: t('field.code'), value: (a) => a.code }, { label: t('field.account'), value: (a) => a.name },
    { label: t('field.debit'), value: (a) => formatMoney(a.debit_total), num: true },
    { label: t('field.credit'), value: (a) => formatMoney(a.credit_total), num: true },
    { label: t('field.balance'), value: (a) => formatMoney(a.balance), num: true },
  ], r.items || []);
}
function portfolio(r) {
  return [facts([[t('report.loans'), formatCount(r.loans || 0)], [t('field.outstanding'), formatMoney(r.outstanding_principal || '0')],
    [t('report.npl'), `${formatDecimal(r.npl_ratio || '0')} %`], [t('close.allowance'), formatMoney(r.allowance || '0')]]),
  table(t('report.by_class'), [
    { label: t('field.class'), value: (c) => t(`class.${c.class}`) },
    { label: t('report.loans'), value: (c) => formatCount(c.loans || 0), num: true },
    { label: t('field.outstanding'), value: (c) => formatMoney(c.outstanding_principal || '0'), num: true },
    { label: t('close.allowance'), value: (c) => formatMoney(c.allowance || '0'), num: true },
  ], r.classes || [])];
}
// A component's name, meaning, formula and band from the catalogues by its code (the API's
// `name`, `definition` and `reason` are its English, shown only for a code the catalogues lack),
// and why it is not available.
function definition(c) {
  const key = `health.c${c.code}`;
  const known = has(`${key}.means`);
  const reason = !c.available ? (c.reason_code && has(`health.reason.${c.reason_code}`) ? t(`health.reason.${c.reason_code}`) : c.reason) : null;
  return [h('strong', {}, has(key) ? t(key) : c.name),
    known ? h('p', { class: 'health-def means' }, t(`${key}.means`)) : null,
    known ? h('p', { class: 'health-def formula' }, h('strong', {}, `${t('health.formula')}: `), t(`${key}.formula`)) : c.definition ? h('p', { class: 'health-def' }, c.definition) : null,
    known ? h('p', { class: 'health-def band' }, h('strong', {}, `${t('health.band')}: `), t(`${key}.band`)) : null,
    reason ? h('p', { class: 'health-def reason' }, h('strong', {}, `${t('health.why_unavailable')}: `), reason) : null];
}

function health(r) {
  const label = (k) => (has(`input.${k}`) ? t(`input.${k}`) : k);
  return [h('div', { class: 'card', id: 'health-total' }, facts([
    [t('health.total'), h('span', { id: 'health-score' }, `${formatDecimal(r.total || '0')} / ${formatDecimal(r.max_available || '0')}`)],
    [t('health.rating'), h('span', { id: 'health-rating' }, r.rating ? t(`rating.${r.rating}`) : '—')]])),
  table(t('health.components'), [
    { label: t('field.code'), value: (c) => c.code },
    { label: t('health.component'), value: definition },
    { label: t('health.inputs'), value: (c) => h('ul', {}, Object.entries(c.inputs || {}).map(([k, v]) => h('li', {}, `${label(k)}: ${/^-?\d+(\.\d+)?$/.test(v) ? formatMoney(v) : v}`))) },
    { label: t('health.ratio'), value: (c) => (c.ratio !== undefined ? `${formatDecimal(c.ratio)} %` : '—'), num: true },
    { label: t('health.value'), value: (c) => (c.available ? String(c.value) : t('health.unavailable')), num: true },
    { label: t('health.weight'), value: (c) => String(c.weight ?? ''), num: true },
    { label: t('health.score'), value: (c) => (c.score ? formatDecimal(c.score) : '—'), num: true },
  ], r.components || [], { id: 'health-components' })];
}
function shu(r) {
  return [facts([[t('report.surplus'), formatMoney(r.surplus)], [t('shu.shared'), formatMoney(r.shared_surplus)]]),
    table(t('shu.allocation'), [{ label: t('shu.part'), value: ([k]) => t(`shu.${k}`) }, { label: t('field.amount'), value: ([, v]) => formatMoney(v), num: true }],
      Object.entries(r.allocation || {})),
    table(t('shu.members'), [
      { label: t('field.member_number'), value: (m) => m.member_number, num: true }, { label: t('field.name'), value: (m) => m.name },
      { label: t('shu.capital_share'), value: (m) => formatMoney(m.capital_share), num: true },
      { label: t('shu.usage_share'), value: (m) => formatMoney(m.usage_share), num: true },
      { label: t('shu.total'), value: (m) => formatMoney(m.total), num: true },
    ], r.members || [])];
}
const managementAnswers = (r) => { const c = (r.components || []).find((x) => x.code === '3'); return c && c.inputs && c.inputs.management; };
const VIEWS = { 'balance-sheet': balanceSheet, 'income-statement': incomeStatement, 'trial-balance': trialBalance, 'loan-portfolio': portfolio, health, shu };

export async function reportsPage(params, query) {
  const coop = await coopOf(params.coop);
  const report = REPORTS.includes(params.report) ? params.report : 'balance-sheet';
  const q = queryFor(report, query);
  const data = await get(`${base(coop.id)}/reports/${report}${q ? `?${q}` : ''}`);
  const path = `${base(coop.id)}/reports/${report}${q ? `?${q}` : ''}`;
  const year = query.get('year') || today().slice(0, 4);
  const ratPack = fileLink(`${base(coop.id)}/reports/rat-pack?year=${year}`, 'pdf', 'download.rat_pack', 'rat-pack');
  ratPack.textContent = t('download.rat_pack', { year });
  return h('section', {}, h('h1', {}, t(`report.${report}`)), coopTabs(coop, 'tab.reports'),
    h('nav', { 'aria-label': t('nav.reports') }, h('ul', { class: 'tabs' }, REPORTS.map((r) => h('li', {},
      h('a', { href: `/koperasi/${coop.id}/laporan/${r}`, 'aria-current': r === report ? 'page' : null }, t(`report.${r}`)))))),
    h('p', {}, data.as_of ? t('report.as_of', { date: formatDate(data.as_of) }) : data.year ? t('report.year', { year: data.year }) : null,
      ' ', downloads(path), ' ', ratPack),
    query.get('saved') ? h('p', { class: 'notice', role: 'status' }, t('state.saved')) : null,
    h('div', { id: 'report' }, VIEWS[report](data)),
    report === 'health' && can('district') ? managementForm(coop.id, data.year, managementAnswers(data)) : null);
}
