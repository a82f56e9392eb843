// The journal of one cooperative: entries newest first, a manual balanced entry (debit and
// credit lines on accounts of the chart), the reversal of an entry; and the opening balances,
// the first entry of a cooperative moving from paper books, offered while its books are empty.
import { h, table } from '../dom.js';
import { t, formatMoney, formatDate, today } from '../i18n.js';
import { get, post, ApiError } from '../api.js';
import { form } from '../form.js';
import { can } from '../session.js';
import { navigate } from '../nav.js';
import { coopOf, coopTabs } from './coops.js';

const base = (coop) => `/api/v1/cooperatives/${encodeURIComponent(coop)}`;
const LINES = 4;
const JOURNAL_PAGES_MAX = 10;      // 5,000 entries read at most
const JOURNAL_SHOWN = 100;

function linesText(e) {
  return h('ul', {}, (e.lines || []).map((l) => h('li', {}, `${l.account} ${l.debit ? `${t('field.debit')} ${formatMoney(l.debit)}` : `${t('field.credit')} ${formatMoney(l.credit)}`}`)));
}

// One button that reverses one entry, with its own Idempotency-Key.
function reverseButton(coopId, e) {
  const f = form({
    submit: 'journal.reverse', cls: 'inline',
    fields: [{ name: 'memo', label: 'field.memo', value: t('journal.reversal_memo', { id: e.id }) }],
    onSubmit: (values, key) => post(`${base(coopId)}/journal/${e.id}/reverse`, values, { key }),
    onSuccess: (r) => navigate(`/koperasi/${coopId}/jurnal?reversed=${r.id || (r.entry && r.entry.id) || ''}`, true),
  });
  return h('details', {}, h('summary', {}, t('journal.reverse')), f.el);
}

export async function journalPage(params, query) {
  const coop = await coopOf(params.coop);
  const chart = await get(`${base(coop.id)}/accounts`);
  // The API pages oldest first; the newest SHOWN entries are what an operator looks for.
  let items = [];
  let cursor = '';
  for (let n = 0; n < JOURNAL_PAGES_MAX; n++) {
    const p = await get(`${base(coop.id)}/journal?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items = items.concat(p.items || []);
    if (!p.next_cursor) break;
    cursor = p.next_cursor;
  }
  const page = { items: items.reverse().slice(0, JOURNAL_SHOWN) };
  const accounts = [['', t('option.choose')]].concat((chart.items || []).map((a) => [a.code, `${a.code} ${a.name}`]));
  const fields = [
    { name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today() },
    { name: 'memo', label: 'field.memo', required: true },
  ];
  for (let i = 0; i < LINES; i++) {
    fields.push({ name: `line${i}.account`, label: 'journal.account_n', labelParams: { n: i + 1 }, type: 'select', options: accounts, rawOptions: true, local: true, required: i < 2 },
      { name: `line${i}.debit`, label: 'field.debit', type: 'amount', local: true },
      { name: `line${i}.credit`, label: 'field.credit', type: 'amount', local: true });
  }
  const entryForm = can('coop.write') ? form({
    submit: 'journal.post', fields,
    onSubmit: (values, key, fl) => {
      const read = (name) => fl.find((f) => f.spec.name === name).read().value;
      const lines = [];
      for (let i = 0; i < LINES; i++) {
        const account = read(`line${i}.account`);
        if (!account) continue;
        const debit = read(`line${i}.debit`);
        const credit = read(`line${i}.credit`);
        lines.push(debit ? { account, debit } : { account, credit: credit || '0' });
      }
      return post(`${base(coop.id)}/journal`, { ...values, lines }, { key });
    },
    onSuccess: () => navigate(`/koperasi/${coop.id}/jurnal?posted=1`, true),
  }) : null;
  return h('section', {}, h('h1', {}, t('journal.title')), coopTabs(coop, 'tab.journal'),
    query.get('posted') ? h('p', { class: 'notice', role: 'status' }, t('journal.posted')) : null,
    query.get('reversed') ? h('p', { class: 'notice', role: 'status' }, t('journal.reversed')) : null,
    query.get('opened') ? h('p', { class: 'notice', role: 'status' }, t('opening.posted')) : null,
    can('coop.write') && items.length === 0 ? h('p', {}, h('a', { class: 'button', href: `/koperasi/${coop.id}/saldo-awal` }, t('opening.start'))) : null,
    entryForm ? h('details', { class: 'card', id: 'journal-new' }, h('summary', {}, t('journal.new')), h('p', { class: 'hint' }, t('journal.hint')), entryForm.el) : null,
    table(t('journal.title'), [
      { label: t('journal.entry'), value: (e) => String(e.id), num: true },
      { label: t('field.date'), value: (e) => formatDate(e.value_date) },
      { label: t('field.memo'), value: (e) => e.memo || '' },
      { label: t('journal.lines'), value: linesText },
      { label: t('field.amount'), value: (e) => formatMoney(e.total), num: true },
      { label: t('journal.by'), value: (e) => e.posted_by || '' },
      { label: '', value: (e) => (can('coop.write') && e.kind !== 'reversal' ? reverseButton(coop.id, e) : e.reverses_id ? t('journal.reverses', { id: e.reverses_id }) : '') },
    ], page.items || [], { id: 'journal' }));
}

const OPENING_LINES = 6;
const OPENING_KINDS = ['principal', 'mandatory', 'voluntary'];
const OPENING_MEMBERS_MAX = 500;     // members listed on the page (the API takes 5,000 savings)

// The opening entry (POST .../opening-balances, docs/transactions.md "Opening balances"):
// account lines (every account but the members' savings) and each member's principal,
// mandatory and voluntary savings. Empty rows are left out; an error naming lines[i] or
// savings[i] of what was sent is shown at the row it came from.
export async function openingPage(params) {
  const coop = await coopOf(params.coop);
  if (!can('coop.write')) throw new ApiError(403, 'forbidden');
  const head = await get(`${base(coop.id)}/journal?limit=1`);
  const heading = [h('h1', {}, t('opening.title')), coopTabs(coop, 'tab.journal')];
  if ((head.items || []).length) {
    return h('section', {}, heading, h('p', { class: 'notice', id: 'opening-closed' }, t('opening.not_empty')),
      h('p', {}, h('a', { class: 'button secondary', href: `/koperasi/${coop.id}/jurnal` }, t('journal.title'))));
  }
  const [chart, people] = await Promise.all([get(`${base(coop.id)}/accounts`),
    get(`${base(coop.id)}/members?status=active&limit=${OPENING_MEMBERS_MAX}`)]);
  const accounts = [['', t('option.choose')]].concat((chart.items || []).map((a) => [a.code, `${a.code} ${a.name}`]));
  const members = people.items || [];
  const fields = [
    { name: 'value_date', label: 'field.value_date', type: 'date', required: true, value: today() },
    { name: 'memo', label: 'field.memo', required: true, value: t('opening.memo') },
  ];
  for (let i = 0; i < OPENING_LINES; i++) {
    fields.push({ name: `lines[${i}].account`, label: 'journal.account_n', labelParams: { n: i + 1 }, type: 'select', options: accounts, rawOptions: true, local: true },
      { name: `lines[${i}].debit`, label: 'field.debit', type: 'amount', local: true },
      { name: `lines[${i}].credit`, label: 'field.credit', type: 'amount', local: true });
  }
  for (const m of members) {
    for (const k of OPENING_KINDS) {
      fields.push({ name: `member${m.id}.${k}`, label: 'opening.savings_of', labelParams: { kind: t(`savings.${k}`), name: m.name }, type: 'amount', local: true });
    }
  }
  const f = form({
    submit: 'opening.post', fields,
    onSubmit: async (values, key, fl) => {
      const read = (name) => fl.find((x) => x.spec.name === name).read().value;
      const lines = [];
      const lineRow = [];
      for (let i = 0; i < OPENING_LINES; i++) {
        const account = read(`lines[${i}].account`);
        if (!account) continue;
        const debit = read(`lines[${i}].debit`);
        lines.push(debit ? { account, debit } : { account, credit: read(`lines[${i}].credit`) || '0' });
        lineRow.push(i);
      }
      const savings = [];
      const savingsField = [];
      for (const m of members) {
        for (const k of OPENING_KINDS) {
          const amount = read(`member${m.id}.${k}`);
          if (!amount) continue;
          savings.push({ member_id: m.id, kind: k, amount });
          savingsField.push(`member${m.id}.${k}`);
        }
      }
      try {
        return await post(`${base(coop.id)}/opening-balances`, { ...values, lines, savings }, { key });
      } catch (e) {
        // Back from what was sent to the row on the page.
        const line = /^lines\[(\d+)\](\.\w+)?$/.exec(e.field || '');
        const saving = /^savings\[(\d+)\]/.exec(e.field || '');
        if (line && lineRow[Number(line[1])] !== undefined) e.field = `lines[${lineRow[Number(line[1])]}]${line[2] || '.account'}`;
        else if (saving && savingsField[Number(saving[1])]) e.field = savingsField[Number(saving[1])];
        throw e;
      }
    },
    onSuccess: () => navigate(`/koperasi/${coop.id}/jurnal?opened=1`, true),
  });
  return h('section', {}, heading, h('div', { class: 'card', id: 'opening' }, h('p', { class: 'hint' }, t('opening.hint')), f.el));
}

export { ApiError };
