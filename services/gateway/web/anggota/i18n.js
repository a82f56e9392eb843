// i18n — the members' own catalogues (anggota/i18n/id.js, en.js) bound to the shared
// app/i18n_core.js (language, t(), money and dates). The operators' catalogues are never loaded.
import id from './i18n/id.js';
import en from './i18n/en.js';
import { useCatalogues } from '../app/i18n_core.js';

useCatalogues({ id, en });
export * from '../app/i18n_core.js';
