// Download links for the files the API renders (docs/reporting.md "Formats"): CSV, CSV as
// Excel set to Indonesian opens it (dialect=excel-id), XLSX and PDF. Plain same-origin
// anchors: the browser sends the session cookie, nothing is fetched by script.
import { h } from './dom.js';
import { t } from './i18n.js';

const QUERY = { csv: 'format=csv', 'csv-excel': 'format=csv&dialect=excel-id', xlsx: 'format=xlsx', pdf: 'format=pdf' };
export const ALL_FORMATS = ['csv', 'csv-excel', 'xlsx', 'pdf'];

// The link to `path` (an API path, query optional) as file `kind`, labelled `label` (a key).
export function fileLink(path, kind, label, id) {
  const sep = path.includes('?') ? '&' : '?';
  return h('a', { class: 'button secondary no-print', href: `${path}${sep}${QUERY[kind]}`, download: '', 'data-format': kind, id: id || null },
    t(label || `download.${kind}`));
}

// One link per format, in a group named by `caption` (a key).
export function downloads(path, kinds = ALL_FORMATS, caption = 'download.caption') {
  return h('span', { class: 'downloads', role: 'group', 'aria-label': t(caption) }, kinds.map((k) => fileLink(path, k)));
}
