import { describe, expect, it } from 'vitest';
import { matchZones, offsetLabel, zoneChoices } from './zones';

describe('zone choices', () => {
	const winter = new Date('2026-12-01T12:00:00Z');

	it('gives each zone its offset at that moment, DST included', () => {
		expect(offsetLabel('Europe/Berlin', winter)).toBe('UTC+01:00');
		expect(offsetLabel('Europe/Berlin', new Date('2026-07-01T12:00:00Z'))).toBe('UTC+02:00');
		expect(offsetLabel('Asia/Kolkata', winter)).toBe('UTC+05:30');
		expect(offsetLabel('America/St_Johns', winter)).toBe('UTC-03:30');
		expect(offsetLabel('UTC', winter)).toBe('UTC+00:00');
	});

	it('lists every zone the browser knows, sorted, with UTC and the extra ones, never twice, and no unknown name', () => {
		const choices = zoneChoices(winter, ['Europe/Berlin', 'Mars/Olympus', null]);
		const names = choices.map((c) => c.zone);
		expect(names.length).toBeGreaterThan(300);
		expect(names).toContain('UTC');
		expect(names).toContain('America/Sao_Paulo');
		expect(names).not.toContain('Mars/Olympus');
		expect(new Set(names).size).toBe(names.length);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		expect(choices.find((c) => c.zone === 'Europe/Berlin')?.offset).toBe('UTC+01:00');
	});

	it('finds zones by any part of the name or the offset, ignoring case and spaces, keeping the current one', () => {
		const choices = zoneChoices(winter);
		expect(matchZones(choices, 'new york').map((c) => c.zone)).toEqual(['America/New_York']);
		expect(matchZones(choices, 'BERLIN').map((c) => c.zone)).toEqual(['Europe/Berlin']);
		const india = matchZones(choices, '+05:30');
		expect(india.length).toBeGreaterThan(0);
		expect(india.every((c) => c.offset === 'UTC+05:30')).toBe(true);
		expect(matchZones(choices, 'berlin', 'Asia/Tokyo').map((c) => c.zone)).toEqual(['Asia/Tokyo', 'Europe/Berlin']);
		expect(matchZones(choices, '  ')).toHaveLength(choices.length);
		expect(matchZones(choices, 'atlantis')).toEqual([]);
	});
});
