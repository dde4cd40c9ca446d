/** The most records one bulk call writes (imports write batches of at most this many). */
export const BULK_LIMIT = 1000;
