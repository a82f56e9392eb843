// form — labelled fields, client-side parsing of amounts and dates, one Idempotency-Key per
// submission, and the API's errors shown next to the field they name, in the user's language.
//
// A submission keeps its key until the user changes a field, so a retry after a lost answer or a
// second click after the answer reuses it (the server answers the first result again), and the
// button is disabled while the request is out: a double click never posts twice. Forms that are
// used again and again clear their amount after success (clearOnSuccess), so the next booking
// is typed anew and gets a new key.
// Not for: talking to the API (api.js) or formatting figures (i18n.js).
import { h, uid } from './dom.js';
import { t, has, parseAmount, parseDate, formatDate } from './i18n.js';

export function errorText(error) {
  const code = error && error.code;
  if (code && has(`error.${code}`)) return t(`error.${code}`);
  if (error && error.status === 0) return t('error.network');
  return t('error.unknown', { code: code || '?' });
}

// spec: {name (API field path, "settings.principal_amount"), label (catalogue key), type:
// text|password|amount|date|number|select|textarea|file|checkbox, options: [[value, labelKey]],
// required, hint (key), value, autocomplete, inputmode, onInput(input)}
export function field(spec) {
  const id = uid(`f-${spec.name.replace(/\W/g, '-')}`);
  const errId = `${id}-err`;
  const hintId = spec.hint ? `${id}-hint` : null;
  const described = [hintId, errId].filter(Boolean).join(' ');
  let input;
  const common = { id, name: spec.name, 'aria-describedby': described, required: spec.required || null };
  if (spec.type === 'select') {
    input = h('select', common, (spec.options || []).map(([v, label]) =>
      h('option', { value: v, selected: String(spec.value ?? '') === String(v) || null }, spec.rawOptions ? label : t(label))));
  } else if (spec.type === 'textarea') {
    input = h('textarea', { ...common, rows: 3 });
    if (spec.value) input.value = spec.value;
  } else {
    const type = { amount: 'text', date: 'text', password: 'password', number: 'number', file: 'file', checkbox: 'checkbox' }[spec.type] || 'text';
    input = h('input', { ...common, type, autocomplete: spec.autocomplete || (type === 'password' ? 'current-password' : 'off'),
      inputmode: spec.inputmode || (spec.type === 'amount' ? 'decimal' : spec.type === 'date' ? 'numeric' : null),
      placeholder: spec.type === 'date' ? t('fmt.date_placeholder') : spec.placeholder ? t(spec.placeholder) : null,
      accept: spec.accept || null, min: spec.min ?? null, max: spec.max ?? null, step: spec.step ?? null });
    if (spec.value !== undefined && spec.value !== null && type !== 'file') {
      if (type === 'checkbox') input.checked = !!spec.value;
      else input.value = spec.type === 'date' ? formatDate(spec.value) : String(spec.value);
    }
  }
  const error = h('p', { class: 'error', id: errId, 'aria-live': 'polite' });
  const extra = spec.extra ? spec.extra : null;
  const el = h('div', { class: spec.type === 'checkbox' ? 'field check' : 'field', 'data-field': spec.name },
    h('label', { for: id }, t(spec.label, spec.labelParams)), input,
    hintId ? h('p', { class: 'hint', id: hintId }, t(spec.hint)) : null, extra, error);
  if (spec.onInput) input.addEventListener('input', () => spec.onInput(input));
  return {
    spec, el, input,
    setError(text) { error.textContent = text || ''; input.setAttribute('aria-invalid', text ? 'true' : 'false'); },
    // -> {value} or {error: key}; empty optional fields give undefined
    read() {
      if (spec.type === 'file') return { value: input.files && input.files[0] };
      if (spec.type === 'checkbox') return { value: input.checked };
      const raw = input.value.trim();
      if (!raw) return spec.required ? { error: 'error.required' } : { value: undefined };
      if (spec.type === 'amount') {
        const v = parseAmount(raw);
        return v === null ? { error: 'error.invalid_amount' } : { value: v };
      }
      if (spec.type === 'date') {
        const v = parseDate(raw);
        return v === null ? { error: 'error.invalid_date' } : { value: v };
      }
      if (spec.type === 'number') return { value: Number(raw) };
      return { value: raw };
    },
  };
}

function setPath(obj, path, value) {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] = o[p] || {};
  o[parts[parts.length - 1]] = value;
}

// The fields' elements in order; fields whose spec.group names one of `groups` ({key: {legend
// (text), note (text)}}) go together into one fieldset with that legend, where the first of them is.
function grouped(fields, groups) {
  const sets = {};
  const out = [];
  for (const f of fields) {
    const g = f.spec.group && groups && groups[f.spec.group];
    if (!g) { out.push(f.el); continue; }
    if (!sets[f.spec.group]) {
      sets[f.spec.group] = h('fieldset', { class: 'group', 'data-group': f.spec.group }, h('legend', {}, g.legend),
        g.note ? h('p', { class: 'hint' }, g.note) : null);
      out.push(sets[f.spec.group]);
    }
    sets[f.spec.group].append(f.el);
  }
  return out;
}

// options: {fields: [spec], groups: {key: {legend, note}} (see grouped), submit: key, onSubmit(values, key) -> Promise(result),
// onSuccess(result, values), clearOnSuccess: [field name], secondary: [Node], cls}
export function form(options) {
  const fields = options.fields.map(field);
  const formError = h('div', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit' }, t(options.submit || 'action.save'));
  const el = h('form', { class: options.cls || 'stack', novalidate: true },
    grouped(fields, options.groups), h('div', { class: 'actions' }, button, options.secondary || null), formError);
  let key = null;
  let busy = false;
  el.addEventListener('input', () => { key = null; });
  const byName = (name) => fields.find((f) => f.spec.name === name || (f.spec.aliases || []).includes(name));
  function showError(error) {
    const f = error && error.field ? byName(error.field) : null;
    if (f) { f.setError(errorText(error)); f.input.focus(); } else { formError.textContent = errorText(error); }
  }
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    fields.forEach((f) => f.setError(''));
    formError.textContent = '';
    const values = {};
    let firstBad = null;
    for (const f of fields) {
      const r = f.read();
      if (r.error) { f.setError(t(r.error)); firstBad = firstBad || f; continue; }
      if (r.value !== undefined && !f.spec.local) setPath(values, f.spec.name, r.value);
    }
    if (firstBad) { firstBad.input.focus(); return; }
    key = key || options.fixedKey || `web-${crypto.getRandomValues(new Uint32Array(4)).join('-')}`;
    busy = true;
    button.disabled = true;
    el.setAttribute('aria-busy', 'true');
    try {
      const result = await options.onSubmit(values, key, fields);
      // The key stays until a field changes: a second click on the same values, even after
      // the answer came, gets the first answer back instead of booking again.
      for (const name of options.clearOnSuccess || []) byName(name).input.value = '';
      if (options.onSuccess) await options.onSuccess(result, values);
    } catch (error) {
      if (error && error.code) showError(error); else { formError.textContent = t('error.unknown', { code: String(error) }); }
    } finally {
      busy = false;
      button.disabled = false;
      el.removeAttribute('aria-busy');
    }
  });
  return { el, fields, byName, showError };
}
