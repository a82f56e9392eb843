// session — who is logged in (from the login answer or GET /api/v1/auth/me with the cookie)
// and what their role may do. The buttons a role may not use are never drawn; the gateway
// still decides (a refused call shows its error).
import { setCsrf } from './api.js';

let current = null;
export function user() { return current; }
export function setSession(u, csrf) { current = u; setCsrf(csrf); }
export function clearSession() { current = null; setCsrf(null); }

const ROLES = {
  'coop.create': ['admin'],
  'coop.write': ['admin', 'operator'],
  'district': ['admin', 'supervisor'],
  'users': ['admin'],
  'audit': ['admin', 'supervisor'],
};
export function can(action) { return !!current && (ROLES[action] || []).includes(current.role); }
export function scoped() { return !!current && (current.role === 'operator' || current.role === 'viewer'); }
// An operator or viewer reaches only their own cooperative.
export function mayOpenCoop(id) { return !!current && (!scoped() || String(current.cooperative_id) === String(id)); }
