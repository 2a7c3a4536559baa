/** The zones a user can choose for showing times, with their offset from UTC, and the search over them. */

export interface ZoneChoice {
	/** The IANA name, "Europe/Berlin". */
	zone: string;
	/** Its offset at the moment asked, "UTC+01:00" (another one half the year where clocks change). */
	offset: string;
}

/** "UTC+01:00", "UTC-03:30", "UTC+00:00": how far `zone` is from UTC at `at`. */
export function offsetLabel(zone: string, at: Date = new Date()): string {
	const name =
		new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
			.formatToParts(at)
			.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
	const offset = name.replace(/^GMT/, '').replace('\u2212', '-');
	return `UTC${offset || '+00:00'}`;
}

/**
 * Every zone this browser knows, sorted by name, plus `extra` ones it lists under another name (a zone
 * saved elsewhere, or "UTC", which some browsers leave out of the list).
 */
export function zoneChoices(at: Date = new Date(), extra: readonly (string | null | undefined)[] = []): ZoneChoice[] {
	const listed = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
	const names = new Set([...listed, 'UTC']);
	for (const zone of extra) if (zone) names.add(zone);
	return [...names].sort((a, b) => a.localeCompare(b)).flatMap((zone) => {
		try {
			return [{ zone, offset: offsetLabel(zone, at) }];
		} catch {
			return []; // a saved name this browser cannot show
		}
	});
}

/**
 * The choices matching what the user typed: any part of the name ("berlin", "new york", "america/")
 * or of the offset ("+05:30"), case and spaces ignored. `keep` stays listed so the current choice is never hidden.
 */
export function matchZones(choices: readonly ZoneChoice[], query: string, keep?: string): ZoneChoice[] {
	const wanted = query.trim().toLowerCase().replace(/\s+/g, '_');
	if (!wanted) return [...choices];
	return choices.filter(
		(c) => c.zone === keep || c.zone.toLowerCase().includes(wanted) || c.offset.toLowerCase().includes(wanted)
	);
}
