/**
 * The Composer without components: the schedule picker's wall time in the user's zone (the UTC
 * instant it maps to, a time skipped by a DST change, a repeated hour) and the body of `POST .../posts`.
 */

import type { Schemas } from './api';

/** What a wall time ("2026-03-29T02:30" from a datetime-local input) means in a zone. */
export type WallTime =
	| { kind: 'empty' }
	| { kind: 'invalid' }
	/** The instant it maps to; `repeated` when the hour happens twice (the first occurrence is taken). */
	| { kind: 'ok'; instant: Date; repeated: boolean }
	/** Skipped: the clocks jump over it in that zone. */
	| { kind: 'gap' };

// Seconds when the input holds them (a reschedule to the second); some browsers add milliseconds.
const WALL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

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

/** Resolve a wall time in `zone` as the backend does: a skipped time is refused, a repeated one takes its first occurrence. */
export function resolveWallTime(value: string, zone: string): WallTime {
	if (!value) return { kind: 'empty' };
	const m = WALL.exec(value);
	if (!m) return { kind: 'invalid' };
	const [, y, mo, d, h, mi, s] = m;
	const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, s ? +s : 0);
	if (Number.isNaN(wall)) return { kind: 'invalid' };
	const day = 24 * 3600 * 1000;
	const offsets = new Set([zoneOffset(wall - day, zone), zoneOffset(wall, zone), zoneOffset(wall + day, zone)]);
	const candidates = [...offsets]
		.map((offset) => wall - offset)
		.filter((instant) => instant + zoneOffset(instant, zone) === wall)
		.sort((a, b) => a - b);
	const unique = [...new Set(candidates)];
	if (!unique.length) return { kind: 'gap' };
	return { kind: 'ok', instant: new Date(unique[0]), repeated: unique.length > 1 };
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
	if (schedule) {
		body.schedule_at = draft.scheduleAt.length === 16 ? `${draft.scheduleAt}:00` : draft.scheduleAt;
		body.timezone = draft.zone;
	}
	return body;
}
