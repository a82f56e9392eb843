// api — the one way the pages talk to the gateway: same-origin fetch with the session cookie,
// the CSRF token on every state-changing call, an Idempotency-Key when a form gives one, and
// the API's typed errors as ApiError {status, code, field}. Not for: rendering errors (form.js).

let csrfToken = null;
export function setCsrf(token) { csrfToken = token || null; }

export class ApiError extends Error {
  constructor(status, code, field, message) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

// A key for one submission. crypto.randomUUID needs a secure context, which a district LAN
// served over plain HTTP is not; getRandomValues works everywhere.
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function api(method, path, options = {}) {
  const headers = {};
  let body;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['Content-Type'] = options.contentType || 'application/octet-stream';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.key) headers['Idempotency-Key'] = options.key;
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', null, String(e));
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    const err = (data && data.error) || {};
    const error = new ApiError(res.status, err.code || `http_${res.status}`, err.field, err.message);
    if (res.status === 401 && !options.quiet) window.dispatchEvent(new CustomEvent('lumbung:unauthenticated'));
    throw error;
  }
  return data;
}

export const get = (path, options) => api('GET', path, options);
export const post = (path, body, options = {}) => api('POST', path, { ...options, body });
