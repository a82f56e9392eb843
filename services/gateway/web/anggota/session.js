// session — the member signed in on this page (from the login or activation answer, or GET
// /api/v1/auth/me with the cookie), with the name the header shows.
// Owns: the member record (the account's ids, plus full_name once known) and hands the CSRF
// token to app/api.js. Not for: the operators' session (app/session.js).
import { get, setCsrf } from '../app/api.js';

let member = null;
export function me() { return member; }
export function setMember(u, csrf) { member = u; setCsrf(csrf); }
// The member's name for the header: the account knows only the member's ids.
export async function enter(u, csrf) {
  setMember(u, csrf);
  try {
    const m = await get(`/api/v1/cooperatives/${u.cooperative_id}/members/${u.member_id}`, { quiet: true });
    member = { ...u, full_name: m.name };
  } catch (e) { /* the header shows the number alone */ }
}
