/** Names and times as every screen shows them: platforms by name, instants with their zone. */

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
export function userZone(): string {
	try {
		return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
	} catch {
		return 'UTC';
	}
}

export interface InstantOptions {
	locale?: string;
	/** Show seconds ("14:05:09"), for what happened to the second (history, publishing). */
	seconds?: boolean;
	/**
	 * How the zone is named after the time: `plain` "14:05 Europe/Berlin", `parens` "14:05 (Europe/Berlin)",
	 * `abbreviation` "14:05 CET (Europe/Berlin)" (plain when the zone has no abbreviation of its own).
	 */
	zoneLabel?: 'plain' | 'parens' | 'abbreviation';
}

/** An instant as the wall clock of `zone`, always with the zone named. */
export function formatInstant(iso: string, zone: string = userZone(), options: InstantOptions = {}): string {
	const { locale, seconds = false, zoneLabel = 'plain' } = options;
	const date = new Date(iso);
	const text = new Intl.DateTimeFormat(locale, {
		dateStyle: 'medium',
		timeStyle: seconds ? 'medium' : 'short',
		timeZone: zone
	}).format(date);
	if (zoneLabel === 'parens') return `${text} (${zone})`;
	if (zoneLabel === 'abbreviation') {
		const short =
			new Intl.DateTimeFormat(locale ?? 'en', { timeZone: zone, timeZoneName: 'short' })
				.formatToParts(date)
				.find((p) => p.type === 'timeZoneName')?.value ?? '';
		if (short && short !== zone) return `${text} ${short} (${zone})`;
	}
	return `${text} ${zone}`;
}
