// i18n — the operators' interface's catalogues (web/i18n/id.js, en.js) bound to i18n_core.js,
// which has the language, t() and the Indonesian ways of writing money and dates.
import id from '../i18n/id.js';
import en from '../i18n/en.js';
import { useCatalogues } from './i18n_core.js';

useCatalogues({ id, en });
export * from './i18n_core.js';
