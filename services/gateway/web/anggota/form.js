// form — the members' forms: labelled fields with hints and their own error line (named by the
// API's `field`), one submit button, and a form-level error for everything else. Errors are
// texts from the members' catalogue by code. Not for: the operators' forms (app/form.js, bound
// to the operators' catalogue).
import { h, uid } from '../app/dom.js';
import { newKey } from '../app/api.js';
import { t, has } from './i18n.js';

export function errorText(e) {
  if (e && e.code && has(`error.${e.code}`)) return t(`error.${e.code}`);
  return t('error.unknown', { code: (e && e.code) || String(e) });
}

// spec: {submit, fields: [{name, label, type, hint, autocomplete, inputmode, value, required, pattern}],
//        validate(values) -> {field: key} | null, onSubmit(values, idempotencyKey) -> Promise, onSuccess(result)}
// One Idempotency-Key per form until a field changes, so a double click never sends twice.
export function form(spec) {
  const inputs = {};
  const errors = {};
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const fields = spec.fields.map((f) => {
    const id = uid(`m-${f.name}`);
    errors[f.name] = h('span', { class: 'error', id: `${id}-error` });
    const hint = f.hint ? h('span', { class: 'hint', id: `${id}-hint` }, t(f.hint)) : null;
    inputs[f.name] = h('input', {
      id, name: f.name, type: f.type || 'text', autocomplete: f.autocomplete || 'off', inputmode: f.inputmode,
      value: f.value, required: f.required, pattern: f.pattern, maxlength: f.maxlength,
      'aria-describedby': [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' '),
    });
    return h('div', { class: 'field' }, h('label', { for: id }, t(f.label)), inputs[f.name], hint, errors[f.name]);
  });
  let key = null;
  const button = h('button', { type: 'submit' }, t(spec.submit));
  const el = h('form', { class: 'stack', novalidate: true }, fields, formError, h('div', { class: 'actions' }, button));
  el.addEventListener('input', () => { key = null; });
  const clear = () => {
    formError.textContent = '';
    for (const [name, e] of Object.entries(errors)) { e.textContent = ''; inputs[name].removeAttribute('aria-invalid'); }
  };
  const show = (name, text) => {
    if (name && errors[name]) { errors[name].textContent = text; inputs[name].setAttribute('aria-invalid', 'true'); inputs[name].focus(); } else formError.textContent = text;
  };
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear();
    const values = Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value.trim()]));
    const missing = spec.fields.find((f) => f.required && !values[f.name]);
    if (missing) { show(missing.name, t('error.required')); return; }
    const bad = spec.validate ? spec.validate(values) : null;
    if (bad) { const [name, key] = Object.entries(bad)[0]; show(name, t(key)); return; }
    key = key || newKey();
    button.disabled = true;
    try {
      const result = await spec.onSubmit(values, key);
      await spec.onSuccess(result);
    } catch (e) {
      show(e && e.field && errors[e.field] ? e.field : null, errorText(e));
    } finally {
      button.disabled = false;
    }
  });
  return { el, inputs };
}
