// The district dashboard (admin, supervisor): charts of cooperatives by type and group, members
// by sex, assets, loans and NPL per cooperative, RAT compliance, and the cooperatives needing
// attention with their reasons, each a link.
import { h, table, facts } from '../dom.js';
import { t, formatMoney, formatCount, formatPercent, formatDate } from '../i18n.js';
import { get, ApiError } from '../api.js';
import { can } from '../session.js';
import { barChart } from '../chart.js';
import { toUnits as units, fromSen } from '../schedule.js';

const toUnits = (v) => { const neg = String(v || '0').startsWith('-'); const u = units(String(v || '0').replace('-', '')) || 0n; return neg ? -u : u; };

const num = (s) => Number(String(s || '0'));
const HEALTH_PARALLEL = 4;
const RATINGS = ['healthy', 'fairly_healthy', 'under_supervision', 'under_special_supervision', 'none'];

export async function dashboardPage() {
  if (!can('district')) throw new ApiError(403, 'forbidden');
  const d = await get('/api/v1/district/dashboard');
  const items = d.items || [];
  const groups = {};
  for (const c of items) groups[c.group || '—'] = (groups[c.group || '—'] || 0) + 1;
  const ratOk = items.filter((c) => !c.rat_overdue).length;
  // Assets, loans and non-performing loans summed per kecamatan, in sen (never floats).
  const districts = new Map();
  for (const c of items) {
    const k = c.district || '—';
    const x = districts.get(k) || { district: k, assets: 0n, loans: 0n, npl: 0n };
    x.assets += toUnits(c.total_assets);
    x.loans += toUnits(c.loans_outstanding);
    x.npl += toUnits(c.non_performing);
    districts.set(k, x);
  }
  const byDistrict = Array.from(districts.values());
  // The dashboard carries no rating: each cooperative's health report of its last fiscal year
  // is asked for, a few at a time.
  const ratings = {};
  const queue = items.slice();
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      try {
        const year = c.last_fiscal_year || Number(d.as_of.slice(0, 4)) - 1;
        const r = await get(`/api/v1/cooperatives/${c.cooperative_id}/reports/health?year=${year}`);
        ratings[r.rating || 'none'] = (ratings[r.rating || 'none'] || 0) + 1;
      } catch (e) { ratings.none = (ratings.none || 0) + 1; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEALTH_PARALLEL, items.length) }, worker));
  return h('section', {},
    h('h1', {}, t('dashboard.title')),
    h('p', {}, t('dashboard.as_of', { date: formatDate(d.as_of) })),
    h('div', { class: 'grid', id: 'dashboard-figures' },
      h('div', { class: 'card' }, h('p', {}, t('dashboard.cooperatives')), h('p', { class: 'figure' }, formatCount(d.cooperatives))),
      h('div', { class: 'card' }, h('p', {}, t('dashboard.members')), h('p', { class: 'figure' }, formatCount(d.members_active))),
      h('div', { class: 'card' }, h('p', {}, t('dashboard.assets')), h('p', { class: 'figure' }, formatMoney(d.total_assets))),
      h('div', { class: 'card' }, h('p', {}, t('dashboard.savings')), h('p', { class: 'figure' }, formatMoney(d.savings))),
      h('div', { class: 'card' }, h('p', {}, t('dashboard.loans')), h('p', { class: 'figure' }, formatMoney(d.loans_outstanding))),
      h('div', { class: 'card' }, h('p', {}, t('dashboard.npl')), h('p', { class: 'figure' }, formatPercent(d.npl_ratio)))),
    h('h2', {}, t('dashboard.attention')),
    (d.attention || []).length ? h('ul', { id: 'attention' }, d.attention.map((a) => h('li', {},
      h('a', { href: `/koperasi/${a.cooperative_id}` }, a.name), ': ', a.reasons.map((r) => t(`reason.${r}`)).join(', ')))) :
      h('p', {}, t('dashboard.attention_none')),
    h('div', { class: 'charts' },
      barChart(t('dashboard.by_rating'), RATINGS.filter((r) => ratings[r] || r !== 'none').map((r) => ({ label: t(`rating.${r}`), value: ratings[r] || 0, text: formatCount(ratings[r] || 0) }))),
      barChart(t('dashboard.by_type'), (d.by_type || []).map((x) => ({ label: t(`coop_type.${x.type}`), value: x.cooperatives, text: formatCount(x.cooperatives) }))),
      barChart(t('dashboard.by_group'), Object.entries(groups).map(([g, n]) => ({ label: g, value: n, text: formatCount(n) }))),
      barChart(t('dashboard.by_sex'), [
        { label: t('sex.female'), value: d.members_female, text: formatCount(d.members_female) },
        { label: t('sex.male'), value: d.members_male, text: formatCount(d.members_male) }]),
      barChart(t('dashboard.rat'), [
        { label: t('dashboard.rat_ok'), value: ratOk, text: formatCount(ratOk) },
        { label: t('dashboard.rat_overdue'), value: d.rat_overdue || 0, text: formatCount(d.rat_overdue || 0) }]),
      barChart(t('dashboard.assets_by_district'), byDistrict.map((x) => ({ label: x.district, value: Number(x.assets / 100n), text: formatMoney(fromSen(x.assets)) }))),
      barChart(t('dashboard.loans_by_district'), byDistrict.map((x) => ({ label: x.district, value: Number(x.loans / 100n),
        text: t('dashboard.loans_npl', { loans: formatMoney(fromSen(x.loans)), npl: formatPercent(x.loans ? fromSen((x.npl * 10000n + x.loans / 2n) / x.loans) : '0') }) })))),
    table(t('dashboard.coops'), [
      { label: t('field.name'), value: (c) => h('a', { href: `/koperasi/${c.cooperative_id}` }, c.name) },
      { label: t('field.district'), value: (c) => c.district || '' },
      { label: t('dashboard.members'), value: (c) => formatCount(c.members_active), num: true },
      { label: t('dashboard.assets'), value: (c) => formatMoney(c.total_assets), num: true },
      { label: t('dashboard.loans'), value: (c) => formatMoney(c.loans_outstanding), num: true },
      { label: t('dashboard.npl'), value: (c) => formatPercent(c.npl_ratio), num: true },
      { label: t('dashboard.rat'), value: (c) => (c.rat_overdue ? h('span', { class: 'badge bad' }, t('dashboard.rat_overdue')) : t('dashboard.rat_ok')) },
    ], items, { id: 'dashboard-coops' }));
}
