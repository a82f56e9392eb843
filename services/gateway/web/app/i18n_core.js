// i18n_core — the user's language and the Indonesian ways of writing money and dates, for
// whichever catalogues an app gives it: the operators' interface (i18n.js, web/i18n/) and the
// members' own pages (anggota/i18n.js, web/anggota/i18n/) each bind their own. t() fills
// {name} placeholders. Money stays a decimal string end to end (as the API sends it:
// "1066185.46"), never a float: formatting and parsing work on the digits.
// Not for: building elements (dom.js).

const STORAGE_KEY = 'lumbung.lang';
let catalogues = { id: {} };
let lang = 'id';

// Called once by the app's i18n module before any page is drawn.
export function useCatalogues(next) {
  catalogues = next;
  let stored = null;
  try { stored = localStorage.getItem(STORAGE_KEY); } catch (e) { stored = null; }
  lang = stored && catalogues[stored] ? stored : 'id';
}

export function getLang() { return lang; }
export function setLang(next) {
  if (!catalogues[next]) return;
  lang = next;
  try { localStorage.setItem(STORAGE_KEY, next); } catch (e) { /* private mode: this page only */ }
  document.documentElement.lang = next;
}
export const languages = () => Object.keys(catalogues);

export function has(key) { return key in catalogues[lang] || key in catalogues.id; }

export function t(key, params) { return tIn(lang, key, params); }

// The same in a named language, for what is always written in it (a member's printed slip).
export function tIn(language, key, params) {
  let text = (catalogues[language] || catalogues.id)[key];
  if (text === undefined) text = catalogues.id[key];
  if (text === undefined) return key;
  if (params) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  return text;
}

// "1066185.46" -> "1.066.185,46" (id) / "1,066,185.46" (en)
export function formatDecimal(value, places = 2) {
  if (value === undefined || value === null || value === '') return '';
  let s = String(value).trim();
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  let [int, frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = places > 0 ? (frac + '0'.repeat(places)).slice(0, Math.max(places, frac.length)) : '';
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, t('fmt.thousands'));
  return (negative ? '-' : '') + grouped + (frac ? t('fmt.decimal') + frac : '');
}

export function formatMoney(value) {
  if (value === undefined || value === null || value === '') return '';
  const s = String(value);
  const negative = s.startsWith('-');
  return (negative ? '-' : '') + 'Rp ' + formatDecimal(negative ? s.slice(1) : s, 2);
}

export function formatCount(value) { return formatDecimal(String(value ?? 0), 0); }
export function formatPercent(value) { return formatDecimal(value, 2) + ' %'; }

// "2025-02-10" -> "10/02/2025"; an RFC 3339 time -> "10/02/2025 09:10" (UTC, as stored)
export function formatDate(iso) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(iso);
  if (!m) return String(iso);
  return `${m[3]}/${m[2]}/${m[1]}` + (m[4] ? ` ${m[4]}:${m[5]}` : '');
}

// "10/02/2025" (or "10-02-2025", or ISO) -> "2025-02-10"; null when it is no real date.
export function parseDate(text) {
  const s = String(text || '').trim();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  let y, mo, d;
  if (m) { [d, mo, y] = [+m[1], +m[2], +m[3]]; } else {
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return null;
    [y, mo, d] = [+m[1], +m[2], +m[3]];
  }
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// Typed amounts: "1.066.185,46", "1066185,46", "Rp 1.000", "1066185.46", "1,066,185.46".
// Returns the API's decimal string ("1066185.46") or null. At most two decimals.
export function parseAmount(text) {
  let s = String(text || '').trim().replace(/^Rp\.?\s*/i, '').replace(/\s/g, '');
  if (!s) return null;
  let int;
  let frac = '';
  if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(s) || /^\d+(,\d{1,2})?$/.test(s)) {
    [int, frac = ''] = s.replace(/\./g, '').split(',');           // Indonesian
  } else if (/^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(s) || /^\d+(\.\d{1,2})?$/.test(s)) {
    [int, frac = ''] = s.replace(/,/g, '').split('.');           // English / plain
  } else {
    return null;
  }
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

// Today on the user's own clock (the cooperative's calendar), as ISO.
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
