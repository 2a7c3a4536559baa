/**
 * Campaigns screen logic without components: the board's columns, which status actions a
 * campaign offers, chip lists for the brand voice, UTM defaults, the PATCH body, the field an
 * error belongs to, and dates.
 */

import { ApiError, type Campaign, type CampaignPatch } from './api';

export type CampaignStatus = Campaign['status'];
export type BrandVoice = Campaign['brand_voice'];

/** A board column: one status, or the archived campaigns (any status) when they are asked for. */
export type ColumnKey = CampaignStatus | 'archived';

export const COLUMN_LABELS: Readonly<Record<ColumnKey, string>> = {
	planned: 'Planned',
	active: 'Active',
	completed: 'Completed',
	archived: 'Archived'
};

export interface BoardColumn {
	key: ColumnKey;
	label: string;
	campaigns: Campaign[];
}

/** Planned, active, completed (and archived when shown), each sorted by start date then name. */
export function boardColumns(campaigns: readonly Campaign[], showArchived: boolean): BoardColumn[] {
	const keys: ColumnKey[] = ['planned', 'active', 'completed', ...(showArchived ? (['archived'] as const) : [])];
	return keys.map((key) => ({
		key,
		label: COLUMN_LABELS[key],
		campaigns: campaigns
			.filter((c) => (key === 'archived' ? c.archived : !c.archived && c.status === key))
			.sort(byStartThenName)
	}));
}

function byStartThenName(a: Campaign, b: Campaign): number {
	const as = a.starts_on ?? '9999-12-31';
	const bs = b.starts_on ?? '9999-12-31';
	return as < bs ? -1 : as > bs ? 1 : a.name.localeCompare(b.name);
}

export type StatusAction = 'activate' | 'complete' | 'archive';

export interface ActionChoice {
	action: StatusAction;
	label: string;
	/** What it does, shown beside the button. */
	hint: string;
}

/**
 * The transitions the backend allows from here: planned -> active -> completed, never back;
 * only a planned or completed campaign can be archived; an archived one is read-only.
 */
export function availableActions(campaign: Pick<Campaign, 'status' | 'archived'>): ActionChoice[] {
	if (campaign.archived) return [];
	const archive: ActionChoice = {
		action: 'archive',
		label: 'Archive',
		hint: 'Hides it from the board and makes it read-only.'
	};
	switch (campaign.status) {
		case 'planned':
			return [{ action: 'activate', label: 'Activate', hint: 'Starts the campaign.' }, archive];
		case 'active':
			return [
				{
					action: 'complete',
					label: 'Complete',
					hint: 'Ends the campaign; it cannot be made active again. Complete it before archiving.'
				}
			];
		case 'completed':
			return [archive];
	}
}

/** A status as words, with "archived" when it is. */
export function statusLabel(campaign: Pick<Campaign, 'status' | 'archived'>): string {
	const label = COLUMN_LABELS[campaign.status];
	return campaign.archived ? `${label}, archived` : label;
}

/**
 * Adds what was typed in a chip input (one or more, separated by commas or new lines) to a
 * list: trimmed, blanks dropped, no duplicates ignoring case (the backend compares that way).
 */
export function addChips(list: readonly string[], typed: string, normalise: (w: string) => string = (w) => w): string[] {
	const result = [...list];
	const seen = new Set(list.map((w) => w.toLowerCase()));
	for (const part of typed.split(/[,\n]/)) {
		const word = normalise(part.trim());
		if (!word || seen.has(word.toLowerCase())) continue;
		seen.add(word.toLowerCase());
		result.push(word);
	}
	return result;
}

/** `launch`, `#launch`, ` #launch ` -> `#launch`; '' for a blank. The server checks the characters. */
export function hashtag(word: string): string {
	const bare = word.trim().replace(/^#+/, '').replace(/\s+/g, '');
	return bare ? `#${bare}` : '';
}

/** Words in both lists (ignoring case): the server refuses a banned word that is also a keyword. */
export function clashes(keywords: readonly string[], banned: readonly string[]): string[] {
	const keys = new Set(keywords.map((w) => w.toLowerCase()));
	return banned.filter((w) => keys.has(w.toLowerCase()));
}

/** The five UTM parameters the backend accepts, in this order, with what each is for. */
export const UTM_FIELDS = [
	{ key: 'utm_source', label: 'Source', hint: 'Where the visit comes from, e.g. mastodon.' },
	{ key: 'utm_medium', label: 'Medium', hint: 'The kind of link, e.g. social.' },
	{ key: 'utm_campaign', label: 'Campaign', hint: 'The campaign’s name in your analytics, e.g. spring-launch.' },
	{ key: 'utm_term', label: 'Term', hint: 'Optional: a keyword.' },
	{ key: 'utm_content', label: 'Content', hint: 'Optional: tells links in the same post apart.' }
] as const;

export type UtmKey = (typeof UTM_FIELDS)[number]['key'];
export type UtmForm = Record<UtmKey, string>;

export function utmForm(defaults: Campaign['utm_defaults']): UtmForm {
	return Object.fromEntries(UTM_FIELDS.map(({ key }) => [key, defaults[key] ?? ''])) as UtmForm;
}

/** Only the filled-in parameters (the server refuses empty values), trimmed. */
export function utmBody(form: UtmForm): Record<string, string> {
	const body: Record<string, string> = {};
	for (const { key } of UTM_FIELDS) {
		const value = form[key].trim();
		if (value) body[key] = value;
	}
	return body;
}

/** The editable part of a campaign, as the detail's form holds it. */
export interface CampaignForm {
	name: string;
	objective: string;
	starts_on: string;
	ends_on: string;
	brand_voice: BrandVoice;
	utm: UtmForm;
}

export function campaignForm(campaign: Campaign): CampaignForm {
	const voice = campaign.brand_voice;
	return {
		name: campaign.name,
		objective: campaign.objective,
		starts_on: campaign.starts_on ?? '',
		ends_on: campaign.ends_on ?? '',
		brand_voice: {
			tone: voice.tone,
			audience: voice.audience,
			keywords: [...voice.keywords],
			banned_words: [...voice.banned_words],
			default_hashtags: [...voice.default_hashtags]
		},
		utm: utmForm(campaign.utm_defaults)
	};
}

/** The PATCH body: every editable field (a blank date clears it). */
export function patchBody(form: CampaignForm): CampaignPatch {
	return {
		name: form.name,
		objective: form.objective,
		starts_on: form.starts_on || null,
		ends_on: form.ends_on || null,
		brand_voice: { ...form.brand_voice },
		utm_defaults: utmBody(form.utm)
	};
}

/** True when the save lost a race: someone changed the campaign after it was loaded. */
export function isConflict(err: unknown): boolean {
	return err instanceof ApiError && err.status === 409 && err.rule === 'concurrent_modification';
}

/**
 * Server field names -> the id of the input they are shown under. `brand_voice.banned_words`
 * -> `banned_words`, `brand_voice.keywords.3` -> `keywords` (one chip of the list),
 * `utm_defaults.utm_source` -> `utm_source`, `name` -> `name`.
 */
export function inputFor(field: string): string {
	return field.replace(/^(brand_voice|utm_defaults)\./, '').replace(/\.\d+$/, '');
}

/** Field errors keyed by input, from a failed save; unknown fields keep their own name. */
export function errorsByInput(err: ApiError): Record<string, string[]> {
	const byInput: Record<string, string[]> = {};
	for (const [field, messages] of Object.entries(err.fieldErrors)) {
		(byInput[inputFor(field)] ??= []).push(...messages);
	}
	return byInput;
}

/** A calendar date (`2026-03-14`) as words; a date has no zone, so it is shown as it is. */
export function formatDay(day: string, locale?: string): string {
	const [y, m, d] = day.split('-').map(Number);
	return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** "Mar 1, 2026 – Mar 31, 2026", "From Mar 1, 2026", "Until …", or "No dates". */
export function dateRange(startsOn: string | null, endsOn: string | null, locale?: string): string {
	if (startsOn && endsOn) return `${formatDay(startsOn, locale)} – ${formatDay(endsOn, locale)}`;
	if (startsOn) return `From ${formatDay(startsOn, locale)}`;
	if (endsOn) return `Until ${formatDay(endsOn, locale)}`;
	return 'No dates';
}
