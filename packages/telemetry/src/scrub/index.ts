/** The P2P-aware scrubber: rule pack, compiled scrubber, keyed pseudonyms. @module */
export { SCRUB_RULES, TRACE_CONTEXT_KEYS, type ScrubRule, type ScrubKeep } from './rules.js';
export {
  createScrubber,
  looksLikeIdentifier,
  truncate,
  type Scrubber,
  type ScrubberOptions,
  type ScrubMode,
} from './scrubber.js';
export {
  createPseudonymizer,
  DEFAULT_ROTATE_MS,
  type Pseudonymizer,
  type PseudonymOptions,
} from './pseudonym.js';
export { scrubberFromEnv, SCRUB_MODE_ENV } from './env.js';
