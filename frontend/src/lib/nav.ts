export interface Section {
	href: string;
	label: string;
	description: string;
}

/** The main sections, in navigation order. */
export const sections: readonly Section[] = [
	{
		href: '/calendar',
		label: 'Calendar',
		description: 'Everything scheduled and published, per channel, in your time zone.'
	},
	{
		href: '/queue',
		label: 'Queue',
		description: 'Posts on their way out: queued, publishing, published with a link, or failed with the fix and a retry.'
	},
	{
		href: '/campaigns',
		label: 'Campaigns',
		description: 'Objectives, dates, brand voice and UTM defaults, with results rolled up per campaign.'
	},
	{
		href: '/compose',
		label: 'Compose',
		description: 'Write one post with per-platform variants, live character counters and AI captions.'
	},
	{
		href: '/channels',
		label: 'Channels',
		description: 'Connect social accounts, check token health and reconnect before a post would fail.'
	},
	{
		href: '/team',
		label: 'Team',
		description: 'Members and their roles, invitations by link, and whether posts need approval before scheduling.'
	},
	{
		href: '/settings',
		label: 'Settings',
		description: 'API tokens, webhooks and the AI caption endpoint.'
	}
];

export function sectionFor(href: string): Section {
	const section = sections.find((s) => s.href === href);
	if (!section) throw new Error(`unknown section ${href}`);
	return section;
}
