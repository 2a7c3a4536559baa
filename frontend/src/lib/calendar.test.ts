import { describe, expect, it } from 'vitest';
import {
	addMonths,
	dayOf,
	groupByDay,
	hourRows,
	hourSlots,
	hoursInDay,
	instantOf,
	monthGrid,
	monthWeeks,
	movedToDay,
	movedToSlot,
	offsetLabel,
	queryHref,
	readQuery,
	shift,
	slotAt,
	slotKey,
	startOfDay,
	viewDays,
	viewRange,
	viewTitle,
	type CalendarEntry
} from './calendar';

function entry(at: string, extra: Partial<CalendarEntry> = {}): CalendarEntry {
	return {
		post_id: 'p-' + at,
		channel_id: 'c1',
		platform: 'bluesky',
		campaign_id: null,
		scheduled_at: at,
		timezone: 'Europe/Paris',
		state: 'scheduled',
		preview: 'hello',
		...extra
	};
}

describe('days across DST changes', () => {
	const cases: [string, string, number][] = [
		['Europe/Paris', '2027-03-28', 23],
		['Europe/Paris', '2027-10-31', 25],
		['America/New_York', '2027-03-14', 23],
		['America/New_York', '2027-11-07', 25],
		['Europe/Paris', '2027-03-27', 24],
		['UTC', '2027-03-28', 24]
	];
	it.each(cases)('%s %s has %i hours', (zone, date, hours) => {
		expect(hoursInDay(date, zone)).toBe(hours);
	});

	it('starts each day at local midnight', () => {
		expect(startOfDay('2027-03-28', 'Europe/Paris').toISOString()).toBe('2027-03-27T23:00:00.000Z');
		expect(startOfDay('2027-03-29', 'Europe/Paris').toISOString()).toBe('2027-03-28T22:00:00.000Z');
		expect(startOfDay('2027-10-31', 'Europe/Paris').toISOString()).toBe('2027-10-30T22:00:00.000Z');
		expect(startOfDay('2027-11-01', 'Europe/Paris').toISOString()).toBe('2027-10-31T23:00:00.000Z');
		expect(startOfDay('2027-03-14', 'America/New_York').toISOString()).toBe('2027-03-14T05:00:00.000Z');
		expect(startOfDay('2027-11-07', 'America/New_York').toISOString()).toBe('2027-11-07T04:00:00.000Z');
	});

	it('puts late-evening posts on their local day, not the UTC one', () => {
		// 23:30 in Paris on the last Sunday of October (after the change, UTC+1) is 22:30Z the same day.
		expect(dayOf('2027-10-31T22:30:00Z', 'Europe/Paris')).toBe('2027-10-31');
		expect(dayOf('2027-10-31T23:30:00Z', 'Europe/Paris')).toBe('2027-11-01');
		// 23:30 in New York on the March change (UTC-4) is 03:30Z the next UTC day.
		expect(dayOf('2027-03-15T03:30:00Z', 'America/New_York')).toBe('2027-03-14');
	});

	it('resolves a skipped time to after the jump and a repeated one to the earlier', () => {
		expect(instantOf('2027-03-28', 2, 30, 'Europe/Paris').toISOString()).toBe('2027-03-28T01:30:00.000Z');
		expect(instantOf('2027-10-31', 2, 30, 'Europe/Paris').toISOString()).toBe('2027-10-31T00:30:00.000Z');
		expect(instantOf('2027-11-07', 1, 30, 'America/New_York').toISOString()).toBe('2027-11-07T05:30:00.000Z');
		expect(instantOf('2027-07-01', 9, 0, 'America/New_York').toISOString()).toBe('2027-07-01T13:00:00.000Z');
	});

	it('keeps the wall-clock time when moved across a change', () => {
		// 09:00 Paris on Saturday (UTC+1) moved to Monday (UTC+2) is still 09:00 there.
		expect(movedToDay({ scheduled_at: '2027-03-27T08:00:00Z' }, '2027-03-29', 'Europe/Paris')).toBe('2027-03-29T07:00:00.000Z');
		expect(movedToDay({ scheduled_at: '2027-11-06T13:00:00Z' }, '2027-11-08', 'America/New_York')).toBe('2027-11-08T14:00:00.000Z');
		// 02:30 does not exist on 28 March in Paris: the time after the jump, 03:30 (UTC+2).
		expect(movedToDay({ scheduled_at: '2027-03-27T01:30:00Z' }, '2027-03-28', 'Europe/Paris')).toBe('2027-03-28T01:30:00.000Z');
		const fifteen = hourSlots('2027-11-07', 'America/New_York').find((s) => s.hour === 15)!;
		expect(movedToSlot({ scheduled_at: '2027-11-06T13:45:00Z' }, fifteen, 'America/New_York')).toBe('2027-11-07T20:45:00.000Z');
	});

	it('has 25 hour slots on the day clocks go back, 02:00 twice with its two offsets', () => {
		const slots = hourSlots('2027-10-31', 'Europe/Berlin');
		expect(slots.map((s) => s.hour)).toEqual([0, 1, 2, 2, ...Array.from({ length: 21 }, (_, i) => i + 3)]);
		expect(slots.filter((s) => s.hour === 2).map((s) => [slotKey(s), s.offset])).toEqual([
			['2027-10-31 2', 120],
			['2027-10-31 2 again', 60]
		]);
		// 02:30 UTC+1 (01:30Z) is in the second 02:00; 02:30 UTC+2 (00:30Z) in the first.
		expect(slotKey(slotAt(slots, '2027-10-31T01:30:00Z')!)).toBe('2027-10-31 2 again');
		expect(slotKey(slotAt(slots, '2027-10-31T00:30:00Z')!)).toBe('2027-10-31 2');
		expect(slotAt(slots, '2027-10-31T23:00:00Z')).toBeNull();
		// Dropped on the second 02:00, a 10:45 post goes to 02:45 UTC+1.
		expect(movedToSlot({ scheduled_at: '2027-10-30T08:45:00Z' }, slots[3], 'Europe/Berlin')).toBe('2027-10-31T01:45:00.000Z');
	});

	it('has 23 hour slots on the day clocks go forward, no 02:00', () => {
		const slots = hourSlots('2027-03-28', 'Europe/Berlin');
		expect(slots).toHaveLength(23);
		expect(slots.map((s) => s.hour)).not.toContain(2);
		expect(slots[2]).toMatchObject({ hour: 3, offset: 120, start: Date.parse('2027-03-28T01:00:00Z') });
	});

	it('shows a week with a repeated hour as two rows labelled with their offsets, other hours once', () => {
		const days = ['2027-10-30', '2027-10-31', '2027-11-01'].map((d) => hourSlots(d, 'Europe/Berlin'));
		const rows = hourRows(days);
		expect(rows).toHaveLength(25);
		expect(rows.slice(1, 5).map((r) => r.label)).toEqual(['01:00', '02:00 UTC+2', '02:00 UTC+1', '03:00']);
		expect(hourRows([hourSlots('2027-03-28', 'Europe/Berlin')])).toHaveLength(23);
		expect(hourRows([hourSlots('2027-03-27', 'Europe/Berlin'), hourSlots('2027-03-28', 'Europe/Berlin')])).toHaveLength(24);
		expect(offsetLabel(-240)).toBe('UTC-4');
		expect(offsetLabel(330)).toBe('UTC+5:30');
	});

	it('gives a view range of whole local days', () => {
		expect(viewRange('day', '2027-10-31', 'Europe/Paris')).toEqual({
			start: '2027-10-30T22:00:00.000Z',
			end: '2027-10-31T23:00:00.000Z'
		});
		const week = viewRange('week', '2027-03-10', 'America/New_York');
		expect(week).toEqual({ start: '2027-03-08T05:00:00.000Z', end: '2027-03-15T04:00:00.000Z' });
	});
});

describe('the month grid', () => {
	it('starts weeks on Monday, padding a month that starts on a Sunday', () => {
		// August 2027 begins on a Sunday: the first row is 26 Jul … 1 Aug.
		const weeks = monthWeeks('2027-08-15');
		expect(weeks[0]).toEqual(['2027-07-26', '2027-07-27', '2027-07-28', '2027-07-29', '2027-07-30', '2027-07-31', '2027-08-01']);
		expect(weeks).toHaveLength(6);
		expect(weeks.at(-1)?.at(-1)).toBe('2027-09-05');
	});

	it('is four weeks for a February that starts on a Monday', () => {
		expect(monthWeeks('2027-02-10')).toHaveLength(4);
		expect(monthWeeks('2027-02-10')[0][0]).toBe('2027-02-01');
	});

	it('puts entries in their local days across the October change', () => {
		const entries = [entry('2027-10-31T22:30:00Z'), entry('2027-10-30T22:30:00Z'), entry('2027-10-31T00:30:00Z')];
		const grid = monthGrid('2027-10-01', groupByDay(entries, 'Europe/Paris'), '2027-10-31');
		const cells = grid.flat();
		expect(cells.find((c) => c.date === '2027-10-31')?.entries.map((e) => e.scheduled_at)).toEqual([
			'2027-10-30T22:30:00Z', // 00:30 CEST
			'2027-10-31T00:30:00Z', // 02:30 CEST, before the clocks go back
			'2027-10-31T22:30:00Z' // 23:30 CET
		]);
		expect(cells.find((c) => c.date === '2027-10-31')?.isToday).toBe(true);
		expect(cells.find((c) => c.date === '2027-10-30')?.entries).toHaveLength(0);
		expect(cells.find((c) => c.date === '2027-09-27')?.inMonth).toBe(false);
	});

	it('builds a month of 1,000 entries quickly', () => {
		const base = Date.UTC(2027, 2, 1);
		const entries = Array.from({ length: 1000 }, (_, i) =>
			entry(new Date(base + i * 43 * 60000 * 1.03).toISOString(), { post_id: `p${i}` })
		);
		const started = performance.now();
		const grid = monthGrid('2027-03-01', groupByDay(entries, 'Europe/Paris'), '2027-03-10');
		const elapsed = performance.now() - started;
		console.info(`month grid for 1,000 entries: ${elapsed.toFixed(1)} ms`);
		expect(grid.flat().reduce((n, c) => n + c.entries.length, 0)).toBe(1000);
		expect(elapsed).toBeLessThan(250);
	});

	it('groups by day in one pass', () => {
		const days = groupByDay([entry('2027-03-14T03:30:00Z'), entry('2027-03-14T05:30:00Z')], 'America/New_York');
		expect([...days.keys()]).toEqual(['2027-03-13', '2027-03-14']);
	});
});

describe('navigation and the URL', () => {
	it('moves by month (clamped), week and day', () => {
		expect(shift('month', '2027-01-31', 1)).toBe('2027-02-28');
		expect(addMonths('2027-12-15', 1)).toBe('2028-01-15');
		expect(shift('week', '2027-03-28', -1)).toBe('2027-03-21');
		expect(shift('day', '2027-03-31', 1)).toBe('2027-04-01');
		expect(viewDays('week', '2027-03-28')[0]).toBe('2027-03-22');
	});

	it('reads and writes the view, date and filters', () => {
		const q = readQuery(new URLSearchParams('view=week&date=2027-03-28&channel=c1&state=failed,bogus'), '2027-01-01');
		expect(q).toEqual({ view: 'week', date: '2027-03-28', channel: 'c1', campaign: '', states: ['failed'] });
		expect(queryHref(q)).toBe('/calendar?view=week&date=2027-03-28&channel=c1&state=failed');
		expect(readQuery(new URLSearchParams('view=year&date=2027-02-30'), '2027-01-01')).toMatchObject({
			view: 'month',
			date: '2027-01-01'
		});
	});

	it('titles each view', () => {
		expect(viewTitle('month', '2027-03-28', 'en-GB')).toBe('March 2027');
		expect(viewTitle('week', '2027-03-28', 'en-GB')).toBe('Week of 22 Mar 2027');
	});
});
