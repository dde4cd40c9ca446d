// The time arithmetic of date triggers: the point a record's date reaches ("3 days before expectedCloseAt, at 09:00
// Europe/Paris"), and the other way round, which dates reach their point in a window of time, so that a scan asks the
// database for exactly those records (one range on the date column). Time zones through Intl (DST included).
import { type DateTrigger, durationMs } from '../definition/document.js';

const DAY_MS = 86_400_000;

export interface DatePoints {
  /** The instant a record whose field holds `value` fires. */
  pointOf(value: Date): Date;
  /** The field values whose point lies in `(after, until]`, as a range `(from, to]` of the column; null: none. */
  valuesReaching(after: Date, until: Date): { after: Date; until: Date } | null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(instant: number, timeZone: string) {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, Number(p.value)]));
  return { day: Date.UTC(parts.year!, parts.month! - 1, parts.day!) / DAY_MS, ms: ((parts.hour! * 60 + parts.minute!) * 60 + parts.second!) * 1000 };
}

/** How far the zone's wall clock is ahead of UTC at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
  const { day, ms } = partsIn(instant, timeZone);
  return day * DAY_MS + ms - Math.floor(instant / 1000) * 1000;
}

/** The instant the zone's wall clock shows `minutes` past midnight of calendar day `day` (days since 1970-01-01). */
export function zonedInstant(day: number, minutes: number, timeZone: string): number {
  const wall = day * DAY_MS + minutes * 60_000;
  // The offset at the wall time read as UTC is near; corrected once with the offset at the instant found (DST).
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

/** Calendar day (days since 1970-01-01) of `instant` in the zone. */
export const localDay = (instant: number, timeZone: string) => partsIn(instant, timeZone).day;

export function datePoints(trigger: DateTrigger, fieldKind: string): DatePoints {
  const offset = trigger.before ? -durationMs(trigger.before) : trigger.after ? durationMs(trigger.after) : 0;
  const at = trigger.at ?? (fieldKind === 'date' ? '00:00' : null);
  if (at === null) {
    // An instant plus an offset: the window moved back by the offset.
    return {
      pointOf: (value) => new Date(value.getTime() + offset),
      valuesReaching: (after, until) => ({ after: new Date(after.getTime() - offset), until: new Date(until.getTime() - offset) }),
    };
  }
  const [hours, minutes] = at.split(':').map(Number) as [number, number];
  const atMinutes = hours * 60 + minutes;
  const offsetDays = Math.round(offset / DAY_MS);
  const zone = trigger.timeZone;
  // A `date` field's day is its UTC date (stored at midnight UTC); a datetime's is its day in the trigger's zone.
  const dayOf = (instant: number) => (fieldKind === 'date' ? Math.floor(instant / DAY_MS) : localDay(instant, zone));
  const startOfDay = (day: number) => (fieldKind === 'date' ? day * DAY_MS : zonedInstant(day, 0, zone));
  const pointOfDay = (day: number) => zonedInstant(day + offsetDays, atMinutes, zone);
  return {
    pointOf: (value) => new Date(pointOfDay(dayOf(value.getTime()))),
    valuesReaching(after, until) {
      // Points grow with the day: find the first and the last day whose point is in the window.
      let first = localDay(after.getTime(), zone) - offsetDays - 2;
      while (pointOfDay(first) <= after.getTime()) first++;
      let last = localDay(until.getTime(), zone) - offsetDays + 2;
      while (pointOfDay(last) > until.getTime()) last--;
      if (first > last) return null;
      return { after: new Date(startOfDay(first) - 1), until: new Date(startOfDay(last + 1) - 1) };
    },
  };
}
