// nik — reads a 16-digit NIK as the civil registry writes it (common/nik.h): digits 1-2
// province, 3-4 regency, 5-6 district, 7-8 day of birth (+40 for women), 9-10 month, 11-12
// year, 13-16 serial. Only for live feedback while typing: the server decides.
// The century is not in the number; the recorded birth date decides, else the later of
// 19yy / 20yy that is not in the future.

export function decodeNik(text, birthIso) {
  const s = String(text || '').trim();
  if (!s) return { state: 'empty' };
  const bad = s.search(/\D/);
  if (bad >= 0) return { state: 'bad', code: 'nik.not_digit', params: { pos: bad + 1 } };
  const parts = {
    province: s.slice(0, 2), regency: s.slice(2, 4), district: s.slice(4, 6),
    dd: s.slice(6, 8), mm: s.slice(8, 10), yy: s.slice(10, 12), serial: s.slice(12, 16),
  };
  if (s.length > 16) return { state: 'bad', code: 'nik.too_long', params: { n: s.length }, parts };
  const result = { state: s.length === 16 ? 'ok' : 'partial', parts, length: s.length };
  if (s.length >= 8) {
    const dd = Number(parts.dd);
    if (!((dd >= 1 && dd <= 31) || (dd >= 41 && dd <= 71))) return { ...result, state: 'bad', code: 'nik.bad_day', params: { dd: parts.dd } };
    result.sex = dd > 40 ? 'female' : 'male';
    result.day = dd > 40 ? dd - 40 : dd;
  }
  if (s.length >= 10) {
    const mm = Number(parts.mm);
    if (mm < 1 || mm > 12) return { ...result, state: 'bad', code: 'nik.bad_month', params: { mm: parts.mm } };
    result.month = mm;
  }
  if (s.length >= 12) {
    const yy = Number(parts.yy);
    const recorded = /^(\d{4})-/.exec(birthIso || '');
    const now = new Date().getUTCFullYear();
    let year = recorded && Number(recorded[1]) % 100 === yy ? Number(recorded[1]) : 2000 + yy;
    if (!recorded && year > now) year -= 100;
    const valid = (y) => { const d = new Date(Date.UTC(y, result.month - 1, result.day)); return d.getUTCDate() === result.day; };
    if (!valid(1900 + yy) && !valid(2000 + yy)) return { ...result, state: 'bad', code: 'nik.bad_date', params: {} };
    if (!valid(year)) year = valid(2000 + yy) ? 2000 + yy : 1900 + yy;
    result.year = year;
    result.birth = `${String(year)}-${String(result.month).padStart(2, '0')}-${String(result.day).padStart(2, '0')}`;
  }
  if (s.length === 16 && parts.serial === '0000') return { ...result, state: 'bad', code: 'nik.bad_serial', params: {} };
  if (s.length < 16) result.code = 'nik.short';
  return result;
}
