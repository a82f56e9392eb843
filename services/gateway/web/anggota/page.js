// page — what every members' page shares: where the members' pages live (ROOT) and the "as of"
// line each page stamps from the answer it drew.
// Owns: nothing. Not for: moving to a page (app/nav.js), the router (router.js).
import { h } from '../app/dom.js';
import { t } from './i18n.js';

export const ROOT = '/anggota';

// "Data as of sequence #n, loaded dd/mm/yyyy hh:mm" — how fresh what the page shows is.
export function asOf(seq) {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return h('p', { class: 'asof', 'data-seq': String(seq || 0) }, t('asof.text', { seq: seq || 0, time }));
}
