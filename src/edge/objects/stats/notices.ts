/** The notices a stats object keeps (`StatsObject.notice`). */

/** When the registry last checked the sample ratio exactly (a time that is replaced). */
export const SRM_CHECKED = "srm.checked";
/** When the `srm.mismatch` webhook was written, the first time (kept). */
export const SRM_MISMATCH = "srm.mismatch";
/** How long after an exact check the consumer's rough check may ask for another. */
export const SRM_RECHECK_MS = 10 * 60 * 1000;
