/** Names and times as every screen shows them: platforms by name, instants with their zone. */

import { session } from './session.svelte';

const PLATFORM_NAMES: Readonly<Record<string, string>> = {
	mastodon: 'Mastodon',
	bluesky: 'Bluesky',
	x: 'X',
	facebook: 'Facebook',
	instagram: 'Instagram',
	linkedin: 'LinkedIn',
	threads: 'Threads'
};

/** "Bluesky"; a platform this list does not know is shown capitalised. */
export function platformName(platform: string): string {
	return PLATFORM_NAMES[platform] ?? platform.charAt(0).toUpperCase() + platform.slice(1);
}

/** The browser's IANA time zone ("Europe/Berlin"); UTC when it cannot tell. */
export function browserZone(): string {
	try {
		return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
	} catch {
		return 'UTC';
	}
}

/** True when this browser can show times in `zone`. */
export function knownZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

/** The zone every screen shows times in: the one the user chose in Settings, else the browser's. */
export function userZone(): string {
	const chosen = session.user?.time_zone;
	return chosen && knownZone(chosen) ? chosen : browserZone();
}

export interface InstantOptions {
	locale?: string;
	/** Show seconds ("14:05:09"), for what happened to the second (history, publishing). */
	seconds?: boolean;
}

const abbreviations = new Map<string, Intl.DateTimeFormat>();
const OFFSET_ONLY = /^(GMT|UTC)[+\-\u2212]/;

/**
 * The zone's own abbreviation at `date` ("CET", "CEST", "EDT"), or '' when it has none distinct from
 * its name: "GMT+5:30" is an offset, not a name. English data only; US English names the Americas, British
 * English names Europe.
 */
export function zoneAbbreviation(date: Date, zone: string): string {
	for (const locale of ['en-US', 'en-GB']) {
		const key = `${locale} ${zone}`;
		let format = abbreviations.get(key);
		if (!format) {
			format = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
			abbreviations.set(key, format);
		}
		const short = format.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
		if (short && short !== zone && !OFFSET_ONLY.test(short)) return short;
	}
	return '';
}

/**
 * An instant as the wall clock of `zone`, always with the zone named, one way everywhere:
 * "1 Dec 2026, 09:00 CET (Europe/Berlin)" when the zone has an abbreviation, else "1 Dec 2026, 09:00 UTC".
 */
export function formatInstant(iso: string, zone: string = userZone(), options: InstantOptions = {}): string {
	const { locale, seconds = false } = options;
	const date = new Date(iso);
	const text = new Intl.DateTimeFormat(locale, {
		dateStyle: 'medium',
		timeStyle: seconds ? 'medium' : 'short',
		timeZone: zone
	}).format(date);
	const abbreviation = zoneAbbreviation(date, zone);
	return abbreviation ? `${text} ${abbreviation} (${zone})` : `${text} ${zone}`;
}
