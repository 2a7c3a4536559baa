/**
 * The Calendar without components: calendar days in the user's zone (correct across DST changes),
 * the month grid (weeks start on Monday, ISO 8601), week and day ranges, entries grouped by day and
 * hour, the view and date in the URL, and the wall-clock time a dragged entry lands on.
 *
 * A "day" is a civil date (`YYYY-MM-DD`), never 24 hours: arithmetic on days is done on the civil
 * date (in UTC, which has no DST), and only turned into instants at the edges through the zone.
 */

import type { Schemas } from './api';

export type CalendarEntry = Schemas['CalendarEntryOut'];
export type CalendarView = 'month' | 'week' | 'day' | 'list';
export const VIEWS: readonly CalendarView[] = ['month', 'week', 'day', 'list'];
/** The target states a calendar entry can have, in the order the filter lists them. */
export const STATES = ['scheduled', 'publishing', 'published', 'unconfirmed', 'failed', 'cancelled'] as const;

// ----- civil dates -----------------------------------------------------------------------

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(n: number, width = 2): string {
	return String(n).padStart(width, '0');
}

export function dateKey(year: number, month: number, day: number): string {
	return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** `YYYY-MM-DD` -> [year, month, day]; null when it is not a real date. */
export function parseDate(key: string): [number, number, number] | null {
	const m = DATE_RE.exec(key);
	if (!m) return null;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const check = new Date(Date.UTC(y, mo - 1, d));
	if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
	return [y, mo, d];
}

function civil(key: string): Date {
	const parts = parseDate(key);
	if (!parts) throw new RangeError(`not a date: ${key}`);
	return new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
}

function keyOf(utcDate: Date): string {
	return dateKey(utcDate.getUTCFullYear(), utcDate.getUTCMonth() + 1, utcDate.getUTCDate());
}

export function addDays(key: string, days: number): string {
	const d = civil(key);
	d.setUTCDate(d.getUTCDate() + days);
	return keyOf(d);
}

/** The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(key: string, months: number): string {
	const [y, m, d] = parseDate(key) ?? [1970, 1, 1];
	const first = new Date(Date.UTC(y, m - 1 + months, 1));
	const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
	return dateKey(first.getUTCFullYear(), first.getUTCMonth() + 1, Math.min(d, last));
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayIndex(key: string): number {
	return (civil(key).getUTCDay() + 6) % 7;
}

export function startOfWeek(key: string): string {
	return addDays(key, -weekdayIndex(key));
}

export function startOfMonth(key: string): string {
	return key.slice(0, 8) + '01';
}

export function daysOfWeek(key: string): string[] {
	const start = startOfWeek(key);
	return Array.from({ length: 7 }, (_, i) => addDays(start, i));
}

/** The month's weeks, Monday first, padded with the neighbouring months' days (4 to 6 weeks). */
export function monthWeeks(key: string): string[][] {
	const first = startOfMonth(key);
	const nextFirst = addMonths(first, 1);
	const weeks: string[][] = [];
	for (let day = startOfWeek(first); day < nextFirst; day = addDays(day, 7)) {
		weeks.push(Array.from({ length: 7 }, (_, i) => addDays(day, i)));
	}
	return weeks;
}

// ----- zones -----------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
	let f = formatters.get(zone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone: zone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit'
		});
		formatters.set(zone, f);
	}
	return f;
}

export interface WallClock {
	date: string;
	hour: number;
	minute: number;
	second: number;
}

/** What the clock on the wall in `zone` reads at `instant`. */
export function wallClock(instant: Date | number | string, zone: string): WallClock {
	const parts: Record<string, string> = {};
	for (const p of partsFormatter(zone).formatToParts(new Date(instant))) parts[p.type] = p.value;
	return {
		date: dateKey(Number(parts.year), Number(parts.month), Number(parts.day)),
		hour: Number(parts.hour) % 24,
		minute: Number(parts.minute),
		second: Number(parts.second)
	};
}

/** Per zone, days already met as [first instant, next day's first instant, date]. */
const knownDays = new Map<string, [number, number, string][]>();

/**
 * The calendar day in `zone` on which `instant` falls. Reading the clock through Intl is slow, so a
 * day once found is remembered with its bounds: a month of 1,000 posts asks Intl about its ~31 days,
 * not about every post.
 */
export function dayOf(instant: Date | number | string, zone: string): string {
	const ms = new Date(instant).getTime();
	let days = knownDays.get(zone);
	if (!days) knownDays.set(zone, (days = []));
	for (const [start, end, date] of days) if (start <= ms && ms < end) return date;
	const date = wallClock(ms, zone).date;
	if (days.length > 400) days.length = 0;
	days.push([startOfDay(date, zone).getTime(), startOfDay(addDays(date, 1), zone).getTime(), date]);
	return date;
}

/** Minutes `zone` is ahead of UTC at `ms`. */
function offsetAt(ms: number, zone: string): number {
	const w = wallClock(ms, zone);
	const [y, m, d] = parseDate(w.date) as [number, number, number];
	const asUtc = Date.UTC(y, m - 1, d, w.hour, w.minute, w.second);
	return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * The instant a wall-clock time in `zone` names. In a gap (clocks jump forward) the time after the
 * jump; in an overlap (clocks go back) the earlier of the two.
 */
export function instantOf(date: string, hour: number, minute: number, zone: string): Date {
	const [y, m, d] = parseDate(date) ?? [1970, 1, 1];
	const guess = Date.UTC(y, m - 1, d, hour, minute);
	const before = guess - offsetAt(guess - 86400000, zone) * 60000;
	const after = guess - offsetAt(guess + 86400000, zone) * 60000;
	const reads = (ms: number) => {
		const w = wallClock(ms, zone);
		return w.date === date && w.hour === hour && w.minute === minute;
	};
	const valid = [before, after].filter(reads);
	// Two readings (overlap): the earlier. None (gap): as many minutes after the jump, i.e. the old offset.
	return new Date(valid.length ? Math.min(...valid) : before);
}

/** The instant `date` begins in `zone` (its first instant, even when midnight is skipped). */
export function startOfDay(date: string, zone: string): Date {
	const start = instantOf(date, 0, 0, zone);
	return wallClock(start, zone).date === date ? start : instantOf(date, 1, 0, zone);
}

/** Hours in `date` in `zone`: 23, 24 or 25 across DST changes. */
export function hoursInDay(date: string, zone: string): number {
	return (startOfDay(addDays(date, 1), zone).getTime() - startOfDay(date, zone).getTime()) / 3600000;
}

// ----- views and ranges ------------------------------------------------------------------

/** The days a view shows around `date`. */
export function viewDays(view: CalendarView, date: string): string[] {
	if (view === 'month' || view === 'list') return monthWeeks(date).flat();
	if (view === 'week') return daysOfWeek(date);
	return [date];
}

/** The instants [start, end) to ask the API for: from the first day's start to the day after the last. */
export function viewRange(view: CalendarView, date: string, zone: string): { start: string; end: string } {
	const days = view === 'list' ? [startOfMonth(date), addDays(addMonths(startOfMonth(date), 1), -1)] : viewDays(view, date);
	return {
		start: startOfDay(days[0], zone).toISOString(),
		end: startOfDay(addDays(days[days.length - 1], 1), zone).toISOString()
	};
}

/** What to ask the calendar API for to show `q` in `zone`: the view's instants and its filters. */
export function calendarRequest(q: CalendarQuery, zone: string) {
	return { ...viewRange(q.view, q.date, zone), channel_id: q.channel ? [q.channel] : undefined, campaign_id: q.campaign || undefined };
}

/** The date the previous/next button goes to. */
export function shift(view: CalendarView, date: string, direction: -1 | 1): string {
	if (view === 'month' || view === 'list') return addMonths(date, direction);
	return addDays(date, view === 'week' ? 7 * direction : direction);
}

export function inMonth(day: string, monthOf: string): boolean {
	return day.slice(0, 7) === monthOf.slice(0, 7);
}

/** Entries per calendar day in `zone`, each day's sorted by time; made in one pass. */
export function groupByDay(entries: readonly CalendarEntry[], zone: string): Map<string, CalendarEntry[]> {
	const days = new Map<string, CalendarEntry[]>();
	for (const entry of entries) {
		const key = dayOf(entry.scheduled_at, zone);
		const list = days.get(key);
		if (list) list.push(entry);
		else days.set(key, [entry]);
	}
	for (const list of days.values()) list.sort(byTime);
	return days;
}

export function byTime(a: CalendarEntry, b: CalendarEntry): number {
	return a.scheduled_at < b.scheduled_at ? -1 : a.scheduled_at > b.scheduled_at ? 1 : a.channel_id < b.channel_id ? -1 : 1;
}

export interface MonthCell {
	date: string;
	inMonth: boolean;
	isToday: boolean;
	entries: CalendarEntry[];
}

/** The month grid of `date` with the entries in their days (as {@link groupByDay} made them). */
export function monthGrid(date: string, byDay: ReadonlyMap<string, CalendarEntry[]>, today: string): MonthCell[][] {
	return monthWeeks(date).map((week) =>
		week.map((day) => ({ date: day, inMonth: inMonth(day, date), isToday: day === today, entries: byDay.get(day) ?? [] }))
	);
}

/** Chips a month cell shows; the rest are one "+N more" link to that day. */
export const MONTH_CHIPS = 3;

// ----- hours of a day (week and day views) -----------------------------------------------

const HOUR = 3600000;

/** One hour of a day on the wall clock: 23, 24 or 25 of them, a repeated hour twice (its offset tells them apart). */
export interface HourSlot {
	day: string;
	/** 0–23 on the wall clock. */
	hour: number;
	/** The second time this hour is on the clock (clocks went back). */
	again: boolean;
	/** Its first instant (ms). */
	start: number;
	/** Minutes `zone` is ahead of UTC during it. */
	offset: number;
}

/** `date`'s hours in `zone` from its first instant to the next day's, an hour apart. */
export function hourSlots(date: string, zone: string): HourSlot[] {
	const end = startOfDay(addDays(date, 1), zone).getTime();
	const slots: HourSlot[] = [];
	for (let start = startOfDay(date, zone).getTime(); start < end; start += HOUR) {
		const hour = wallClock(start, zone).hour;
		slots.push({ day: date, hour, again: slots.some((s) => s.hour === hour), start, offset: offsetAt(start, zone) });
	}
	return slots;
}

/** "2027-10-31 2" for a slot, "2027-10-31 2 again" for the repeated one: what a drop target names. */
export function slotKey(slot: Pick<HourSlot, 'day' | 'hour' | 'again'>): string {
	return `${slot.day} ${slot.hour}${slot.again ? ' again' : ''}`;
}

/** The slot of `slots` an instant falls in; null when it is outside them. */
export function slotAt(slots: readonly HourSlot[], instant: string | number): HourSlot | null {
	const ms = new Date(instant).getTime();
	return slots.find((s) => s.start <= ms && ms < s.start + HOUR) ?? null;
}

/** One row of the week/day grid: an hour, twice when some shown day repeats it (then labelled with each offset). */
export interface HourRow {
	hour: number;
	again: boolean;
	/** "02:00", or "02:00 UTC+2" / "02:00 UTC+1" for a repeated hour. */
	label: string;
}

/** The rows for the shown days: every wall-clock hour any of them has, a repeated hour as two rows. */
export function hourRows(slotsByDay: readonly HourSlot[][]): HourRow[] {
	const all = slotsByDay.flat();
	const rows = new Map<string, HourRow>();
	for (const slot of all) {
		const key = slotKey({ ...slot, day: '' });
		if (rows.has(key)) continue;
		// On the day that repeats this hour, each of its two slots: their offsets are the labels.
		const second = all.find((s) => s.again && s.hour === slot.hour);
		const twin = second && (slot.again ? second : all.find((s) => s.day === second.day && s.hour === slot.hour && !s.again));
		rows.set(key, { hour: slot.hour, again: slot.again, label: `${pad(slot.hour)}:00${twin ? ` ${offsetLabel(twin.offset)}` : ''}` });
	}
	return [...rows.values()].sort((a, b) => a.hour - b.hour || Number(a.again) - Number(b.again));
}

/** "UTC+2", "UTC-4", "UTC+5:30": an offset in minutes as a reader says it. */
export function offsetLabel(minutes: number): string {
	const sign = minutes < 0 ? '-' : '+';
	const abs = Math.abs(minutes);
	return `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${pad(abs % 60)}` : ''}`;
}

/** Entries the state filter keeps (all when `states` is empty). */
export function filterStates(entries: readonly CalendarEntry[], states: readonly string[]): CalendarEntry[] {
	return states.length ? entries.filter((e) => states.includes(e.state)) : [...entries];
}

// ----- rescheduling ----------------------------------------------------------------------

/**
 * Dropped on another day: the instant of the same wall-clock time on that day in `zone` (so 10:00
 * stays 10:00 across a DST change; a time the clocks skip becomes the time after the jump).
 */
export function movedToDay(entry: Pick<CalendarEntry, 'scheduled_at'>, day: string, zone: string): string {
	const w = wallClock(entry.scheduled_at, zone);
	return instantOf(day, w.hour, w.minute, zone).toISOString();
}

/**
 * Dropped on a slot (week/day view): that hour, keeping the minutes. An instant, not a wall-clock
 * time, because a repeated hour's two slots read the same on the clock.
 */
export function movedToSlot(entry: Pick<CalendarEntry, 'scheduled_at'>, slot: Pick<HourSlot, 'start'>, zone: string): string {
	const minute = wallClock(entry.scheduled_at, zone).minute;
	return new Date(slot.start + minute * 60000).toISOString();
}

// ----- the URL ---------------------------------------------------------------------------

export interface CalendarQuery {
	view: CalendarView;
	date: string;
	channel: string;
	campaign: string;
	states: string[];
}

/** The view, date and filters a URL carries; unknown or broken values fall back to month / today. */
export function readQuery(params: URLSearchParams, today: string): CalendarQuery {
	const view = params.get('view') as CalendarView;
	const date = params.get('date') ?? '';
	return {
		view: VIEWS.includes(view) ? view : 'month',
		date: parseDate(date) ? date : today,
		channel: params.get('channel') ?? '',
		campaign: params.get('campaign') ?? '',
		states: (params.get('state') ?? '').split(',').filter((s) => (STATES as readonly string[]).includes(s))
	};
}

export function queryHref(q: CalendarQuery): string {
	const params = new URLSearchParams({ view: q.view, date: q.date });
	if (q.channel) params.set('channel', q.channel);
	if (q.campaign) params.set('campaign', q.campaign);
	if (q.states.length) params.set('state', q.states.join(','));
	return `/calendar?${params}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** One Intl.DateTimeFormat per locale and options: making one costs far more than using it, and a month view formats ~200 times. */
function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	const key = `${locale ?? ''} ${JSON.stringify(options)}`;
	let f = dateFormats.get(key);
	if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
	return f;
}

/** "March 2027", "Week of 22 Mar 2027", "Sunday, 28 March 2027". */
export function viewTitle(view: CalendarView, date: string, locale?: string): string {
	const d = civil(date);
	const fmt = (o: Intl.DateTimeFormatOptions) => formatter(locale, { ...o, timeZone: 'UTC' }).format(d);
	if (view === 'month' || view === 'list') return fmt({ month: 'long', year: 'numeric' });
	if (view === 'day') return fmt({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
	const start = civil(startOfWeek(date));
	return `Week of ${formatter(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(start)}`;
}

/** A civil date as words ("Mon, Mar 22"), never shifted by a zone. */
export function dayLabel(date: string, options: Intl.DateTimeFormatOptions, locale?: string): string {
	return formatter(locale, { ...options, timeZone: 'UTC' }).format(civil(date));
}

/** "09:30" on the wall clock of `zone`. */
export function timeLabel(iso: string, zone: string, locale?: string): string {
	return formatter(locale, { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(iso));
}
