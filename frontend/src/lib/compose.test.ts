import { describe, expect, it } from 'vitest';
import { occurrenceValue, postBody, resolveWallTime, wallTimeIn, zoneOffset } from './compose';

describe('resolveWallTime', () => {
	it('maps a wall time in a zone to its UTC instant', () => {
		expect(resolveWallTime('2026-07-01T14:30', 'Europe/Berlin')).toEqual({
			kind: 'ok',
			instant: new Date('2026-07-01T12:30:00Z'),
			occurrences: [new Date('2026-07-01T12:30:00Z')]
		});
		expect(resolveWallTime('2026-01-15T09:00', 'America/New_York')).toMatchObject({
			instant: new Date('2026-01-15T14:00:00Z')
		});
	});

	it('refuses a time the clocks skip (spring forward), naming the gap', () => {
		expect(resolveWallTime('2026-03-29T02:30', 'Europe/Berlin')).toEqual({ kind: 'gap', from: '2026-03-29T02:00', to: '2026-03-29T03:00' });
		expect(resolveWallTime('2026-03-08T02:15', 'America/New_York')).toEqual({ kind: 'gap', from: '2026-03-08T02:00', to: '2026-03-08T03:00' });
		// Lord Howe Island moves its clocks by half an hour.
		expect(resolveWallTime('2026-10-04T02:10', 'Australia/Lord_Howe')).toEqual({ kind: 'gap', from: '2026-10-04T02:00', to: '2026-10-04T02:30' });
	});

	it('knows both occurrences of a repeated hour (fall back), and means the first unless the offset names the other', () => {
		const both = [new Date('2026-10-25T00:30:00Z'), new Date('2026-10-25T01:30:00Z')];
		expect(resolveWallTime('2026-10-25T02:30', 'Europe/Berlin')).toEqual({ kind: 'ok', instant: both[0], occurrences: both });
		expect(resolveWallTime('2026-10-25T02:30:00+01:00', 'Europe/Berlin')).toEqual({ kind: 'ok', instant: both[1], occurrences: both });
		expect(resolveWallTime('2026-10-25T02:30:00+02:00', 'Europe/Berlin')).toEqual({ kind: 'ok', instant: both[0], occurrences: both });
		expect(resolveWallTime('2026-10-25T02:30:00+05:00', 'Europe/Berlin')).toEqual({ kind: 'invalid' });
		expect(occurrenceValue(both[1], 'Europe/Berlin')).toBe('2026-10-25T02:30:00+01:00');
		expect(occurrenceValue(new Date('2026-11-01T06:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-05:00');
	});

	it('takes seconds, with or without milliseconds', () => {
		expect(resolveWallTime('2026-12-01T09:45:15.000', 'America/New_York')).toMatchObject({
			kind: 'ok',
			instant: new Date('2026-12-01T14:45:15Z')
		});
		expect(resolveWallTime('2026-12-01T09:45:15', 'America/New_York')).toMatchObject({
			instant: new Date('2026-12-01T14:45:15Z')
		});
	});

	it('knows empty and malformed input', () => {
		expect(resolveWallTime('', 'UTC')).toEqual({ kind: 'empty' });
		expect(resolveWallTime('tomorrow', 'UTC')).toEqual({ kind: 'invalid' });
	});
});

describe('zoneOffset and wallTimeIn', () => {
	it('gives the offset and the wall time a few minutes ahead', () => {
		expect(zoneOffset(Date.parse('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3600_000);
		expect(wallTimeIn(new Date('2026-12-01T13:00:30Z'), 'Asia/Kolkata', 2)).toBe('2026-12-01T18:32');
	});
});

describe('postBody', () => {
	const draft = {
		text: 'Base',
		channelIds: ['a', 'b'],
		campaignId: '',
		variants: { a: 'Only for a', b: '   ', c: 'not selected' },
		scheduleAt: '2026-12-01T14:05',
		zone: 'Europe/Berlin'
	};

	it('keeps variants of selected channels that have text, and no schedule for a draft', () => {
		expect(postBody(draft, false)).toEqual({ text: 'Base', channel_ids: ['a', 'b'], variants: { a: 'Only for a' } });
		expect(postBody({ ...draft, media: ['media:1', 'media:2'] }, false).media).toEqual(['media:1', 'media:2']);
	});

	it('schedules with the wall time and the zone, and the campaign when one is picked', () => {
		expect(postBody({ ...draft, scheduleAt: '2026-10-25T02:30:00+01:00' }, true)).toMatchObject({
			schedule_at: '2026-10-25T02:30:00+01:00' // the second 02:30 that night, as chosen
		});
		expect(postBody({ ...draft, campaignId: 'k' }, true)).toEqual({
			text: 'Base',
			channel_ids: ['a', 'b'],
			variants: { a: 'Only for a' },
			campaign_id: 'k',
			schedule_at: '2026-12-01T14:05:00',
			timezone: 'Europe/Berlin'
		});
	});
});
