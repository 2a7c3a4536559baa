/**
 * The Composer without components: the schedule picker's wall time in the user's zone (the UTC
 * instant it maps to, a time skipped by a DST change, a repeated hour) and the body of `POST .../posts`.
 */

import type { Schemas } from './api';

/** What a wall time ("2026-03-29T02:30" from a datetime-local input) means in a zone. */
export type WallTime =
	| { kind: 'empty' }
	| { kind: 'invalid' }
	/**
	 * `occurrences`: the instants the wall time names, earliest first; two in the hour repeated when the
	 * clocks go back. `instant`: the one meant, the first unless the value names its offset.
	 */
	| { kind: 'ok'; instant: Date; occurrences: Date[] }
	/** Skipped: that night the clocks jump from the wall time `from` to `to` ("2027-03-28T02:00" to "…T03:00"). */
	| { kind: 'gap'; from: string; to: string };

// Seconds when the input holds them (a reschedule to the second; some browsers add milliseconds), and an
// offset when the value names which of a repeated hour's two occurrences is meant.
const WALL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The offset of `zone` from UTC at `instant`, in milliseconds (east positive). */
export function zoneOffset(instant: number, zone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit'
	}).formatToParts(new Date(instant));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return wall - Math.floor(instant / 1000) * 1000;
}

/** The wall clock of `instant` in `zone` as a datetime-local value ("2027-03-28T03:00"). */
function wallOf(instant: number, zone: string): string {
	return new Date(instant + zoneOffset(instant, zone)).toISOString().slice(0, 16);
}

/** The instant the offset of `zone` changes between `before` and `after` (a day apart at most). */
function transition(before: number, after: number, zone: string): number {
	const first = zoneOffset(before, zone);
	while (after - before > 60_000) {
		const middle = before + Math.floor((after - before) / 2);
		if (zoneOffset(middle, zone) === first) before = middle;
		else after = middle;
	}
	return Math.floor(after / 60_000) * 60_000; // changes fall on whole minutes
}

function offsetMs(text: string): number {
	if (text === 'Z') return 0;
	const sign = text.startsWith('-') ? -1 : 1;
	return sign * (Number(text.slice(1, 3)) * 60 + Number(text.slice(4, 6))) * 60_000;
}

/**
 * Resolve a wall time in `zone` as the backend does: a skipped time is refused, a repeated one means its
 * first occurrence, unless the value carries an offset ("2027-10-31T02:30:00+01:00") naming the other.
 */
export function resolveWallTime(value: string, zone: string): WallTime {
	if (!value) return { kind: 'empty' };
	const m = WALL.exec(value);
	if (!m) return { kind: 'invalid' };
	const [, y, mo, d, h, mi, s, offset] = m;
	const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, s ? +s : 0);
	if (Number.isNaN(wall)) return { kind: 'invalid' };
	const day = 24 * 3600 * 1000;
	const offsets = new Set([zoneOffset(wall - day, zone), zoneOffset(wall, zone), zoneOffset(wall + day, zone)]);
	const occurrences = [...new Set([...offsets].map((o) => wall - o))]
		.filter((instant) => instant + zoneOffset(instant, zone) === wall)
		.sort((a, b) => a - b);
	if (!occurrences.length) {
		const at = transition(wall - day, wall + day, zone);
		return { kind: 'gap', from: new Date(at + zoneOffset(at - 1, zone)).toISOString().slice(0, 16), to: wallOf(at, zone) };
	}
	let instant = occurrences[0];
	if (offset) {
		const named = wall - offsetMs(offset);
		if (!occurrences.includes(named)) return { kind: 'invalid' };
		instant = named;
	}
	return { kind: 'ok', instant: new Date(instant), occurrences: occurrences.map((o) => new Date(o)) };
}

/** The value naming one occurrence of a wall time exactly: "2027-10-31T02:30:00+01:00". */
export function occurrenceValue(instant: Date, zone: string): string {
	const offset = zoneOffset(instant.getTime(), zone) / 60_000;
	const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
	const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
	return `${wallOf(instant.getTime(), zone)}:00${offset < 0 ? '-' : '+'}${hours}:${minutes}`;
}

/** A datetime-local value `minutes` from `now` in `zone` ("2026-12-01T14:05"). */
export function wallTimeIn(now: Date, zone: string, minutes = 0): string {
	const at = now.getTime() + minutes * 60_000;
	return new Date(at + zoneOffset(at, zone)).toISOString().slice(0, 16);
}

/** What the Composer holds when it saves. */
export interface Draft {
	text: string;
	channelIds: readonly string[];
	campaignId: string;
	/** Variant text per channel; blank ones are left out (the base text is used). */
	variants: Readonly<Record<string, string>>;
	/** Uploaded images' refs, in the order they are shown; none when absent. */
	media?: readonly string[];
	/** The datetime-local value; '' for a draft. */
	scheduleAt: string;
	zone: string;
}

/** The `POST .../posts` body: a draft, or with `schedule` a post scheduled in the same write (wall time + zone). */
export function postBody(draft: Draft, schedule: boolean): Schemas['PostIn'] {
	const variants: Record<string, string> = {};
	for (const id of draft.channelIds) {
		const text = draft.variants[id];
		if (text?.trim()) variants[id] = text;
	}
	const body: Schemas['PostIn'] = { text: draft.text, channel_ids: [...draft.channelIds], variants };
	if (draft.campaignId) body.campaign_id = draft.campaignId;
	if (draft.media?.length) body.media = [...draft.media];
	if (schedule) {
		body.schedule_at = draft.scheduleAt.length === 16 ? `${draft.scheduleAt}:00` : draft.scheduleAt;
		body.timezone = draft.zone;
	}
	return body;
}
