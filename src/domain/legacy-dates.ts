// Date-times as the legacy families write them: "2018-11-28 11:04:18" (seeds 001, 003), with no
// zone. The vendor ran in China, so a time without a zone is read, and written, as UTC+8.
import { badInput } from './errors.ts';
import { INSTANT_RANGE_MESSAGE, isStorableInstant } from './validation.ts';

const LEGACY_OFFSET_MS = 8 * 3600 * 1000;

/** "2018-11-28 11:04:18", "2018-11-28" or ISO 8601; read as UTC+8 when no zone is given. */
export function parseLegacyDateTime(text: string, field: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  const date = m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}+08:00`) : new Date(text.trim());
  if (Number.isNaN(date.getTime())) throw badInput(field, `"${text}" is not a date-time (yyyy-MM-dd HH:mm:ss)`);
  if (!isStorableInstant(date)) throw badInput(field, `"${text}" ${INSTANT_RANGE_MESSAGE}`);
  return date;
}

/**
 * The last instant a legacy end time names: "… 23:59:59" covers the whole second, so records
 * created at 23:59:59.5 are inside the range a client asked for.
 */
export function legacyRangeEnd(date: Date): Date {
  return date.getMilliseconds() === 0 ? new Date(date.getTime() + 999) : date;
}

/** "2018-11-28 11:04:18" in UTC+8, as the seeds show dates. */
export function formatLegacyDateTime(value: Date | string): string {
  const shifted = new Date(new Date(value).getTime() + LEGACY_OFFSET_MS);
  return shifted.toISOString().slice(0, 19).replace('T', ' ');
}
