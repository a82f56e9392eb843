// What the district records about a cooperative and its people: the board, annual meetings
// (RAT), supervision visits with recommendations, trainings and who attended, and the
// management questionnaire of the health rating (aspect 3).
import { h, table, facts } from '../dom.js';
import { t, formatDate, formatDecimal, today } from '../i18n.js';
import { get, post, api, ApiError } from '../api.js';
import { form } from '../form.js';
import { can } from '../session.js';
import { navigate } from '../nav.js';
import { PERIODS } from '../periods.js';

const base = (coop) => `/api/v1/cooperatives/${encodeURIComponent(coop)}`;
const list = (text) => String(text || '').split(',').map((s) => s.trim()).filter(Boolean);
const yes = (b) => (b ? t('option.yes') : t('option.no'));

export function boardForm(coop) {
  const b = coop.board || {};
  return form({
    submit: 'action.save',
    fields: [
      { name: 'chair', label: 'board.chair', value: b.chair || '' },
      { name: 'secretary', label: 'board.secretary', value: b.secretary || '' },
      { name: 'treasurer', label: 'board.treasurer', value: b.treasurer || '' },
      { name: 'supervisors', label: 'board.supervisors', hint: 'hint.comma_list', value: (b.supervisors || []).join(', '), local: true },
      { name: 'elected_on', label: 'board.elected_on', type: 'date', value: b.elected_on },
    ],
    onSubmit: (values, key, fl) => api('PUT', `${base(coop.id)}/board`, { body: { ...values, supervisors: list(fl[3].read().value) }, key }),
    onSuccess: () => navigate(`/koperasi/${coop.id}?saved=1`, true),
  });
}

export function meetingForm(coop) {
  return form({
    submit: 'action.save',
    fields: [
      { name: 'held_on', label: 'field.held_on', type: 'date', required: true },
      { name: 'fiscal_year', label: 'field.fiscal_year', type: 'number', required: true, min: 1900, max: 2999 },
      { name: 'members_present', label: 'field.attendees', type: 'number', min: 0 },
      { name: 'quorum', label: 'rat.quorum', type: 'checkbox' },
      { name: 'accounts_approved', label: 'rat.accounts_approved', type: 'checkbox' },
      { name: 'shu_approved', label: 'rat.shu_approved', type: 'checkbox' },
      { name: 'plan_approved', label: 'rat.plan_approved', type: 'checkbox' },
      { name: 'reported_on', label: 'rat.reported_on', type: 'date' },
      { name: 'notes', label: 'field.note', type: 'textarea' },
      // What the meeting decided that becomes the cooperative's setting (docs/members.md).
      { name: 'principal_amount', label: 'field.principal_amount', type: 'amount', hint: 'rat.decisions' },
      { name: 'mandatory_amount', label: 'field.mandatory_amount', type: 'amount' },
      { name: 'mandatory_period', label: 'field.mandatory_period', type: 'select', options: [['', 'rat.unchanged']].concat(PERIODS.map((p) => [p, `period.${p}`])) },
    ],
    onSubmit: (values, key) => post(`${base(coop.id)}/annual-meetings`, values, { key }),
    onSuccess: () => navigate(`/koperasi/${coop.id}?saved=1`, true),
  });
}

export function meetingsTable(items) {
  return table(t('coops.rat'), [
    { label: t('field.fiscal_year'), value: (m) => String(m.fiscal_year ?? '') },
    { label: t('field.held_on'), value: (m) => formatDate(m.held_on) },
    { label: t('field.attendees'), value: (m) => String(m.members_present ?? ''), num: true },
    { label: t('rat.quorum'), value: (m) => yes(m.quorum) },
    { label: t('rat.accounts_approved'), value: (m) => yes(m.accounts_approved) },
    { label: t('rat.reported_on'), value: (m) => formatDate(m.reported_on) || '—' },
  ], items, { id: 'meetings' });
}

function closeRecommendation(coopId, s, r) {
  const f = form({
    submit: 'supervision.close', cls: 'inline',
    fields: [{ name: 'done_on', label: 'supervision.done_on', type: 'date', required: true, value: today() }],
    onSubmit: (values, key) => api('PATCH', `${base(coopId)}/supervision/${s.id}`, { body: { recommendations: [{ number: r.number, done_on: values.done_on }] }, key }),
    onSuccess: () => navigate(`/koperasi/${coopId}?saved=1`, true),
  });
  return f.el;
}

export function supervisionSection(coop, visits) {
  const rows = [];
  for (const s of visits) for (const r of s.recommendations || []) rows.push({ s, r });
  const record = can('district') ? form({
    submit: 'supervision.record',
    fields: [
      { name: 'visited_on', label: 'supervision.visited_on', type: 'date', required: true, value: today() },
      { name: 'findings', label: 'supervision.findings', type: 'textarea', required: true },
      { name: 'rec1', label: 'supervision.recommendation', local: true },
      { name: 'due1', label: 'supervision.due_on', type: 'date', local: true },
    ],
    onSubmit: (values, key, fl) => {
      const text = fl[2].read().value;
      const due = fl[3].read().value;
      const body = { ...values, recommendations: text ? [{ text, due_on: due }] : [] };
      return post(`${base(coop.id)}/supervision`, body, { key });
    },
    onSuccess: () => navigate(`/koperasi/${coop.id}?saved=1`, true),
  }) : null;
  return [h('h2', {}, t('supervision.title')),
    visits.length ? table(t('supervision.title'), [
      { label: t('supervision.visited_on'), value: (s) => formatDate(s.visited_on) },
      { label: t('supervision.supervisor'), value: (s) => s.supervisor || '' },
      { label: t('supervision.findings'), value: (s) => s.findings || '' },
    ], visits, { id: 'supervision' }) : h('p', {}, t('supervision.none')),
    rows.length ? table(t('supervision.recommendations'), [
      { label: t('supervision.recommendation'), value: ({ r }) => r.text },
      { label: t('supervision.due_on'), value: ({ r }) => formatDate(r.due_on) || '—' },
      { label: t('supervision.done_on'), value: ({ s, r }) => (r.done_on ? formatDate(r.done_on) : can('district') ? closeRecommendation(coop.id, s, r) : t('supervision.open')) },
    ], rows, { id: 'recommendations' }) : null,
    record ? h('details', { class: 'card' }, h('summary', {}, t('supervision.record')), record.el) : null];
}

// --- trainings (admin, supervisor)

export async function trainingsPage(params, query) {
  if (!can('district')) throw new ApiError(403, 'forbidden');
  const page = await get('/api/v1/trainings?limit=200');
  const f = form({
    submit: 'action.save',
    fields: [
      { name: 'title', label: 'training.title_field', required: true },
      { name: 'held_from', label: 'training.held_from', type: 'date', required: true },
      { name: 'held_to', label: 'training.held_to', type: 'date' },
      { name: 'place', label: 'training.place' },
      { name: 'trainers', label: 'training.trainers', hint: 'hint.comma_list', local: true },
      { name: 'participants', label: 'training.participants', type: 'textarea', hint: 'hint.participants', local: true },
    ],
    onSubmit: (values, key, fl) => {
      const participants = String(fl[5].read().value || '').split('\n').map((line) => line.split(';').map((x) => x.trim()))
        .filter((p) => p[0]).map(([name, coop, role]) => ({ name, cooperative_id: coop || undefined, role: role || undefined }));
      return post('/api/v1/trainings', { ...values, trainers: list(fl[4].read().value), participants }, { key });
    },
    onSuccess: () => navigate('/pelatihan?saved=1', true),
  });
  return h('section', {}, h('h1', {}, t('training.title')),
    query.get('saved') ? h('p', { class: 'notice', role: 'status' }, t('state.saved')) : null,
    (page.items || []).length ? table(t('training.title'), [
      { label: t('training.title_field'), value: (x) => x.title },
      { label: t('training.held_from'), value: (x) => formatDate(x.held_from) },
      { label: t('training.days'), value: (x) => String(x.days ?? ''), num: true },
      { label: t('training.place'), value: (x) => x.place || '' },
      { label: t('training.participants'), value: (x) => h('ul', {}, (x.participants || []).map((p) => h('li', {}, [p.name, p.role ? ` (${p.role})` : '', p.cooperative_id ? ` · #${p.cooperative_id}` : '']))) },
    ], page.items, { id: 'trainings' }) : h('p', {}, t('training.none')),
    h('details', { class: 'card' }, h('summary', {}, t('training.new')), f.el));
}

// --- the management questionnaire (admin, supervisor), on the health page

// The parts of aspect 3 with their number of questions and the credit of a "yes" (docs/domain.md,
// as services/reporting/health_bands.c counts them); each question's wording is in the catalogues.
const GROUPS = [['general', 12, '0.25'], ['institution', 6, '0.5'], ['capital', 5, '0.6'], ['assets', 10, '0.3'], ['liquidity', 5, '0.6']];

// answers: the questionnaire recorded for the year (the health report's component 3), if any.
export function managementForm(coopId, year, answers) {
  const fields = [];
  const groups = {};
  for (const [group, n, credit] of GROUPS) {
    groups[group] = { legend: t(`management.${group}`), note: t('management.part', { n, credit: formatDecimal(credit, credit.split('.')[1].length) }) };
    for (let i = 0; i < n; i++) {
      fields.push({ name: `${group}.${i}`, label: `management.${group}.${i + 1}`, hint: `management.${group}.${i + 1}.proof`,
        type: 'checkbox', local: true, group, aliases: i === 0 ? [group] : [],
        value: !!(answers && answers[group] && answers[group][i]) });
    }
  }
  const f = form({
    submit: 'action.save', fields, groups,
    onSubmit: (values, key, fl) => {
      const body = {};
      for (const [group, n] of GROUPS) body[group] = Array.from({ length: n }, (_, i) => !!fl.find((x) => x.spec.name === `${group}.${i}`).read().value);
      return api('PUT', `${base(coopId)}/reports/health/${year}/management`, { body, key });
    },
    onSuccess: () => navigate(`/koperasi/${coopId}/laporan/health?year=${year}&saved=1`, true),
  });
  return h('details', { class: 'card', id: 'management' }, h('summary', {}, t('management.title', { year })),
    h('p', { class: 'hint' }, t('management.hint')),
    answers ? h('p', { class: 'notice', id: 'management-recorded' }, t('management.recorded', { points: formatDecimal(answers.points || '0'), yes: String(answers.yes_answers ?? 0) })) : null,
    f.el);
}

export { facts };
