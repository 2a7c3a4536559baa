import { afterEach, describe, expect, it } from 'vitest';
import { browserZone, formatInstant, knownZone, platformName, userZone, zoneAbbreviation } from './format';
import { session } from './session.svelte';

describe('platform names', () => {
	it('names the platforms it knows and capitalises the others', () => {
		expect(platformName('linkedin')).toBe('LinkedIn');
		expect(platformName('x')).toBe('X');
		expect(platformName('pixelfed')).toBe('Pixelfed');
	});
});

describe('instants, always with their zone, one wording everywhere', () => {
	it('names the abbreviation and the IANA zone when the zone has an abbreviation', () => {
		expect(formatInstant('2026-12-01T08:00:00Z', 'Europe/Berlin', { locale: 'en-GB' })).toBe('1 Dec 2026, 09:00 CET (Europe/Berlin)');
		expect(formatInstant('2026-06-03T12:00:05Z', 'Europe/Paris', { locale: 'en-GB', seconds: true })).toBe(
			'3 Jun 2026, 14:00:05 CEST (Europe/Paris)'
		);
		expect(formatInstant('2026-06-03T12:00:00Z', 'America/New_York', { locale: 'en-GB' })).toBe('3 Jun 2026, 08:00 EDT (America/New_York)');
		expect(formatInstant('2026-01-03T12:00:00Z', 'Europe/London', { locale: 'en-GB' })).toBe('3 Jan 2026, 12:00 GMT (Europe/London)');
	});

	it('names only the zone when it has no abbreviation of its own (an offset is not one, nor the name itself)', () => {
		expect(formatInstant('2026-01-01T12:00:00Z', 'UTC', { locale: 'en-GB' })).toBe('1 Jan 2026, 12:00 UTC');
		expect(formatInstant('2026-12-01T08:00:00Z', 'Asia/Kolkata', { locale: 'en-GB' })).toBe('1 Dec 2026, 13:30 Asia/Kolkata');
		expect(formatInstant('2026-12-01T08:00:00Z', 'Asia/Tokyo', { locale: 'en-GB' })).toBe('1 Dec 2026, 17:00 Asia/Tokyo');
	});

	it('follows the DST change: the same zone, another abbreviation and wall clock', () => {
		expect(formatInstant('2026-03-29T00:30:00Z', 'Europe/Berlin', { locale: 'en-GB' })).toBe('29 Mar 2026, 01:30 CET (Europe/Berlin)');
		expect(formatInstant('2026-03-29T01:30:00Z', 'Europe/Berlin', { locale: 'en-GB' })).toBe('29 Mar 2026, 03:30 CEST (Europe/Berlin)');
		expect(zoneAbbreviation(new Date('2026-07-01T00:00:00Z'), 'America/Los_Angeles')).toBe('PDT');
	});
});

describe('the zone times are shown in', () => {
	afterEach(() => session.signOut());

	it('is the browser’s until the user chooses one, then the user’s', () => {
		expect(userZone()).toBe(browserZone());
		session.signIn({ user: { id: 'u', email: 'a@example.com', name: 'Ada', time_zone: 'Pacific/Auckland' }, workspaces: [] });
		expect(userZone()).toBe('Pacific/Auckland');
		expect(formatInstant('2026-12-01T08:00:00Z', undefined, { locale: 'en-GB' })).toBe('1 Dec 2026, 21:00 Pacific/Auckland');
		session.setTimeZone(null);
		expect(userZone()).toBe(browserZone());
	});

	it('falls back to the browser’s when this browser does not know the saved zone', () => {
		session.signIn({ user: { id: 'u', email: 'a@example.com', name: 'Ada', time_zone: 'Mars/Olympus' }, workspaces: [] });
		expect(knownZone('Mars/Olympus')).toBe(false);
		expect(userZone()).toBe(browserZone());
	});
});
