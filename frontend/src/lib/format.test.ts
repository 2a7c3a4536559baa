import { describe, expect, it } from 'vitest';
import { formatInstant, platformName } from './format';

describe('platform names', () => {
	it('names the platforms it knows and capitalises the others', () => {
		expect(platformName('linkedin')).toBe('LinkedIn');
		expect(platformName('x')).toBe('X');
		expect(platformName('pixelfed')).toBe('Pixelfed');
	});
});

describe('instants, always with their zone', () => {
	it('shows the wall clock of a zone, naming the zone (plain by default)', () => {
		expect(formatInstant('2026-06-03T12:00:05Z', 'Europe/Paris', { locale: 'en-GB', seconds: true })).toBe(
			'3 Jun 2026, 14:00:05 Europe/Paris'
		);
		expect(formatInstant('2026-06-03T12:00:05Z', 'America/New_York', { locale: 'en-GB' })).toBe('3 Jun 2026, 08:00 America/New_York');
		// Across a DST change the same UTC hour is another wall-clock hour.
		expect(formatInstant('2026-01-03T12:00:00Z', 'Europe/Paris', { locale: 'en-GB' })).toBe('3 Jan 2026, 13:00 Europe/Paris');
	});

	it('puts the zone in parentheses', () => {
		const parens = { locale: 'en-GB', zoneLabel: 'parens' } as const;
		expect(formatInstant('2026-03-29T00:30:00Z', 'Europe/Berlin', parens)).toBe('29 Mar 2026, 01:30 (Europe/Berlin)');
		expect(formatInstant('2026-03-29T01:30:00Z', 'Europe/Berlin', parens)).toBe('29 Mar 2026, 03:30 (Europe/Berlin)');
	});

	it('adds the zone’s abbreviation when it has one', () => {
		const abbreviation = { locale: 'en-GB', zoneLabel: 'abbreviation' } as const;
		const text = formatInstant('2026-03-29T00:30:00Z', 'Europe/Berlin', abbreviation);
		expect(text).toMatch(/29 Mar 2026, 01:30/);
		expect(text).toContain('Europe/Berlin');
		expect(formatInstant('2026-03-29T01:30:00Z', 'Europe/Berlin', abbreviation)).toMatch(/03:30 .*Europe\/Berlin/); // after the DST change
		expect(formatInstant('2026-01-01T12:00:00Z', 'UTC', abbreviation)).toMatch(/12:00 UTC$/);
	});
});
