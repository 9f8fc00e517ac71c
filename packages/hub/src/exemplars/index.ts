/** Exemplars: the in-memory exemplar store fed by the scraper, and `/api/v1/query_exemplars`. */
export { ExemplarStore, type SeriesExemplars, type StoredExemplar } from './exemplar-store.js';
export { exemplarApi } from './api.js';
