// periods — how often mandatory savings fall due (a cooperative's `mandatory_period`), in the
// order the forms offer them; each is `period.<name>` in the catalogues. Shared by the
// cooperative's settings (pages/coops.js) and the annual meeting that changes them
// (pages/oversight.js).
// Owns: nothing but the list. Not for: a loan's instalment frequency (schedule.js).
export const PERIODS = ['monthly', 'weekly', 'quarterly', 'semiannual', 'annual'];
