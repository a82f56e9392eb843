// schedule — the loan schedule, computed exactly as services/transactions/schedule.c does
// (sen as BigInt, rates in basis points, half away from zero), for the live preview while an
// application is typed. Only for display: the schedule the server returns on submit is the one
// that counts, and the browser tests compare the two to the sen.

const PERIODS = { daily: 365, weekly: 52, monthly: 12, bimonthly: 6, quarterly: 4, semiannual: 2 };
const MONTHS = { monthly: 1, bimonthly: 2, quarterly: 3, semiannual: 6 };

// "1066185.46" -> 106618546n; null when not a decimal with at most `places` decimals
export function toUnits(text, places = 2) {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(text || ''));
  if (!m || (m[2] && m[2].length > places)) return null;
  return BigInt(m[1]) * 10n ** BigInt(places) + BigInt((m[2] || '').padEnd(places, '0') || '0');
}
export function fromSen(sen) {
  const neg = sen < 0n;
  const a = neg ? -sen : sen;
  const int = a / 100n;
  const frac = a % 100n;
  return (neg ? '-' : '') + int.toString() + (frac ? '.' + frac.toString().padStart(2, '0') : '');
}

const divRound = (num, den) => (2n * num + den) / (2n * den);

function addDays(iso, days) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
function addMonths(iso, months) {
  const [y, m, d] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = total % 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return `${String(ty).padStart(4, '0')}-${String(tm + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
function dueOn(first, frequency, k) {
  if (frequency === 'daily') return addDays(first, k - 1);
  if (frequency === 'weekly') return addDays(first, 7 * (k - 1));
  return addMonths(first, MONTHS[frequency] * (k - 1));
}

// terms: {principal: "12000000", annual_rate: "12", instalments: 12, frequency, method,
// first_due_on: ISO} -> {schedule: [{number, due_on, principal, interest, total, balance_after}],
// total_interest, total} as decimal strings, or null when the terms are incomplete.
export function previewSchedule(terms) {
  const P = toUnits(terms.principal);
  const r = toUnits(terms.annual_rate);                 // percent with 2 places = basis points
  const n = Number(terms.instalments);
  const ppy = PERIODS[terms.frequency];
  if (!P || P <= 0n || r === null || !Number.isInteger(n) || n < 1 || n > 360 || !ppy || !terms.first_due_on) return null;
  if (!['flat', 'declining', 'annuity'].includes(terms.method)) return null;
  const d = BigInt(ppy) * 10000n;
  const N = BigInt(n);
  const base = divRound(P, N);
  const annuity = terms.method === 'annuity' && r > 0n;
  let a = 0n;
  let totalFloor = 0n;
  if (annuity) {
    const x = (d + r) ** N;
    const y = d ** N;
    const num = x * P * r;
    const den = (x - y) * d;
    a = num / den;
    if (2n * (num % den) >= den) a += 1n;
    totalFloor = (num * N) / den;
  }
  let o = P;
  let exact = 0n;
  let sum = 0n;
  const schedule = [];
  for (let k = 0; k < n; k++) {
    const last = k === n - 1;
    let interest;
    let principal;
    if (annuity) {
      interest = last ? totalFloor - a * (N - 1n) - o : divRound(o * r, d);
      principal = last ? o : a - interest;
    } else {
      const part = (terms.method === 'flat' ? P : o) * r;
      exact += part;
      interest = last ? exact / d - sum : divRound(part, d);
      principal = last ? o : base;
    }
    if (interest < 0n || principal <= 0n || principal > o) return null;
    o -= principal;
    sum += interest;
    schedule.push({ number: k + 1, due_on: dueOn(terms.first_due_on, terms.frequency, k + 1),
      principal: fromSen(principal), interest: fromSen(interest), total: fromSen(principal + interest),
      balance_after: fromSen(o) });
  }
  return { schedule, total_interest: fromSen(sum), total: fromSen(P + sum) };
}
