/**
 * The Queue and a post's detail without components: which posts belong in the queue and where,
 * the words and tone of each target state, the history in sentences, and
 * the poller that keeps a page live while something is still due (paused while the tab is hidden).
 */

import type { Channel, Member, Post, PostFailure, PostHistoryEntry, PostListQuery, PostTarget } from './api';
import { addDays, parseDate, startOfDay } from './calendar';
import { failureOf, otherMessages } from './failure';
import { formatInstant, platformName } from './format';

export type TargetState = PostTarget['state'];

/** How a state reads, and its tone (a colour token of app.css, never the only cue). */
export const STATE_WORDS: Readonly<Record<TargetState, { label: string; tone: 'muted' | 'accent' | 'warn' | 'ok' | 'danger' }>> = {
	draft: { label: 'Draft', tone: 'muted' },
	scheduled: { label: 'Queued', tone: 'accent' },
	publishing: { label: 'Publishing', tone: 'warn' },
	published: { label: 'Published', tone: 'ok' },
	unconfirmed: { label: 'Unconfirmed', tone: 'warn' },
	failed: { label: 'Failed', tone: 'danger' },
	cancelled: { label: 'Cancelled', tone: 'muted' }
};

/** States whose outcome is still ahead: a page showing one keeps polling. */
const LIVE: ReadonlySet<TargetState> = new Set(['scheduled', 'publishing', 'unconfirmed']);

/** "Bluesky · sandbox.bsky.social", or the platform alone when the channel is not known (disconnected). */
export function channelLabel(target: Pick<PostTarget, 'channel_id' | 'platform'>, channels: readonly Channel[]): string {
	const channel = channels.find((c) => c.id === target.channel_id);
	return channel ? `${platformName(channel.platform)} · ${channel.handle}` : `${platformName(target.platform)} (channel removed)`;
}

// ----- which posts, where ------------------------------------------------------------------

export function isLive(post: Pick<Post, 'targets'>): boolean {
	return post.targets.some((t) => LIVE.has(t.state));
}

export function needsAttention(post: Pick<Post, 'targets'>): boolean {
	return post.targets.some((t) => t.state === 'failed' || t.state === 'unconfirmed');
}

/** The earliest instant a still-due target goes out, as ms since the epoch; null when none is due. */
export function nextDue(post: Pick<Post, 'targets'>): number | null {
	const times = post.targets
		.filter((t) => (t.state === 'scheduled' || t.state === 'publishing') && t.scheduled_at)
		.map((t) => Date.parse(t.scheduled_at as string));
	return times.length ? Math.min(...times) : null;
}

export interface QueueSections {
	/** A target failed or its outcome is unknown: the user has something to read or do. */
	attention: Post[];
	/** Queued or publishing, soonest first. */
	upcoming: Post[];
	/** Every target settled and at least one published, most recent first. */
	published: Post[];
}

const byUpdatedDesc = (a: Post, b: Post) => Date.parse(b.updated_at) - Date.parse(a.updated_at);

/** Splits scheduled posts into what needs attention, what is coming, and what went out recently. */
export function queueSections(posts: readonly Post[], publishedLimit = 10): QueueSections {
	const attention: Post[] = [];
	const upcoming: Post[] = [];
	const published: Post[] = [];
	for (const post of posts) {
		if (needsAttention(post)) attention.push(post);
		else if (isLive(post)) upcoming.push(post);
		else if (post.targets.some((t) => t.state === 'published')) published.push(post);
	}
	attention.sort(byUpdatedDesc);
	upcoming.sort((a, b) => (nextDue(a) ?? Infinity) - (nextDue(b) ?? Infinity));
	published.sort(byUpdatedDesc);
	return { attention, upcoming, published: published.slice(0, publishedLimit) };
}

/** How many targets are in each state, in lifecycle order, e.g. [["published", 1], ["failed", 1]]. */
export function stateCounts(post: Pick<Post, 'targets'>): [TargetState, number][] {
	const order = Object.keys(STATE_WORDS) as TargetState[];
	return order
		.map((state) => [state, post.targets.filter((t) => t.state === state).length] as [TargetState, number])
		.filter(([, n]) => n > 0);
}

// ----- what the user may do --------------------------------------------------------------

export function canRetry(target: Pick<PostTarget, 'state'>): boolean {
	return target.state === 'failed';
}

/** A target may be cancelled until an attempt has started (publishing, published and unconfirmed are locked). */
export function canCancel(target: Pick<PostTarget, 'state'>): boolean {
	return target.state === 'draft' || target.state === 'scheduled' || target.state === 'failed';
}

/** The whole post can be cancelled only when every target that is not cancelled yet still can be. */
export function canCancelPost(post: Pick<Post, 'status' | 'targets'>): boolean {
	const open = post.targets.filter((t) => t.state !== 'cancelled');
	return post.status !== 'cancelled' && open.length > 0 && open.every(canCancel);
}

/** What went wrong with an action (retry, cancel), as the server said it. */
export interface ActionProblem {
	/** What was tried, for "Could not …": "retry", "cancel this channel". */
	action: string;
	detail: string;
	/** The server's field errors, as "field: message". */
	messages: string[];
}

/** An action's failure for display: the problem's detail and its field errors. */
export function actionProblem(action: string, err: unknown): ActionProblem {
	const failure = failureOf(err);
	return { action, detail: failure.detail, messages: otherMessages(failure.fields, []) };
}

// ----- times ------------------------------------------------------------------------------

/** "in 12 seconds", "3 minutes ago": coarse, for reading at a glance next to the exact time. */
export function relativeTime(iso: string, now: number, locale?: string): string {
	const diff = (Date.parse(iso) - now) / 1000;
	const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
	const abs = Math.abs(diff);
	if (abs < 60) return rtf.format(Math.round(diff), 'second');
	if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
	if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
	return rtf.format(Math.round(diff / 86400), 'day');
}

// ----- failures -------------------------------------------------------------------------

const REASON_WORDS: Readonly<Record<PostFailure['reason'], string>> = {
	auth_expired: 'The platform refused the channel’s access',
	rate_limited: 'The platform’s rate limit was reached',
	validation: 'The platform refused the content',
	duplicate: 'The platform refused a duplicate post',
	media_rejected: 'The platform refused the media',
	platform_unavailable: 'The platform was unavailable',
	unknown: 'Publishing failed',
	unconfirmed: 'The platform did not confirm the post'
};

/** The failure in one headline: "The platform refused the channel’s access". */
export function failureHeadline(failure: Pick<PostFailure, 'reason'>): string {
	return REASON_WORDS[failure.reason] ?? 'Publishing failed';
}

// ----- history ---------------------------------------------------------------------------

export interface HistoryLine {
	who: string;
	what: string;
	/** A link the line refers to (the published post). */
	url?: string;
}

export interface HistoryContext {
	channels: readonly Channel[];
	members: readonly Member[];
	targets: readonly Pick<PostTarget, 'channel_id' | 'platform'>[];
	zone: string;
	locale?: string;
}

function str(value: unknown): string | null {
	return typeof value === 'string' && value ? value : null;
}

function channelsNamed(ids: unknown, ctx: HistoryContext): string {
	const list = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
	return list.map((id) => oneChannel(id, ctx)).join(', ');
}

function oneChannel(id: unknown, ctx: HistoryContext): string {
	if (typeof id !== 'string') return 'a channel';
	const target = ctx.targets.find((t) => t.channel_id === id) ?? { channel_id: id, platform: 'channel' };
	return channelLabel(target, ctx.channels);
}

function who(entry: PostHistoryEntry, ctx: HistoryContext): string {
	if (!entry.actor_id) return 'PostWizard';
	return ctx.members.find((m) => m.user_id === entry.actor_id)?.name ?? 'A former member';
}

/** "Scheduled it for 3 Jun 2026, 09:00 Europe/Paris": one event of the post's history, as a sentence. */
export function describeEvent(entry: PostHistoryEntry, ctx: HistoryContext): HistoryLine {
	const d = entry.details;
	const line = (what: string, url?: string): HistoryLine => ({ who: who(entry, ctx), what, ...(url ? { url } : {}) });
	const at = str(d.at);
	const when = (zone: unknown) => (at ? formatInstant(at, str(zone) ?? ctx.zone, { locale: ctx.locale }) : 'a new time');
	const note = str(d.note);
	switch (entry.event) {
		case 'Drafted':
			return line('created the post');
		case 'ContentEdited':
			return line('edited the text or media');
		case 'VariantSet':
			return line(d.text == null ? `removed the variant for ${oneChannel(d.channel_id, ctx)}` : `wrote a variant for ${oneChannel(d.channel_id, ctx)}`);
		case 'TargetsChanged':
			return line('changed the channels');
		case 'SubmittedForReview':
			return line('submitted it for review');
		case 'Approved':
			return line(note ? `approved it: “${note}”` : 'approved it');
		case 'ChangesRequested':
			return line(note ? `asked for changes: “${note}”` : 'asked for changes');
		case 'Scheduled':
			return line(`scheduled it for ${when(d.timezone)}`);
		case 'Rescheduled':
			return line(`moved ${channelsNamed(d.channel_ids, ctx) || 'it'} to ${when(d.timezone)}`);
		case 'Cancelled':
			return line(`cancelled ${channelsNamed(d.channel_ids, ctx) || 'the post'}`);
		case 'PublishAttemptStarted':
			return line(`started publishing to ${oneChannel(d.channel_id, ctx)}`);
		case 'TargetPublished':
			return line(`published it on ${oneChannel(d.channel_id, ctx)}`, str(d.url) ?? undefined);
		case 'TargetUnconfirmed':
			return line(`could not confirm ${oneChannel(d.channel_id, ctx)}${str(d.detail) ? `: ${d.detail}` : ''}`);
		case 'TargetFailed': {
			const retry = str(d.retry_at);
			const message = str(d.message);
			return line(
				`could not publish to ${oneChannel(d.channel_id, ctx)}${message ? `: ${message}` : ''}` +
					(retry ? ` (retries at ${formatInstant(retry, ctx.zone, { locale: ctx.locale })})` : '')
			);
		}
		case 'RetryRequested':
			return line(`retried ${oneChannel(d.channel_id, ctx)}`);
		default:
			return line(entry.event.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
	}
}

// ----- live updates ------------------------------------------------------------------------

/**
 * How long to wait before asking again: soon while something is publishing or due within a
 * minute, slower while the next post is further off; null when nothing is left to wait for.
 */
export function pollDelay(posts: readonly Pick<Post, 'targets'>[], now: number, fast = 2000, slow = 15000): number | null {
	if (!posts.some(isLive)) return null;
	const busy = posts.some((p) => p.targets.some((t) => t.state === 'publishing' || t.state === 'unconfirmed'));
	if (busy) return fast;
	const due = Math.min(...posts.map((p) => nextDue(p) ?? Infinity));
	return due - now <= 60_000 ? fast : slow;
}

/** The bits of `document` the poller needs (a fake in tests). */
export interface VisibilitySource {
	readonly visibilityState: DocumentVisibilityState;
	addEventListener(type: 'visibilitychange', listener: () => void): void;
	removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/**
 * Calls `load` now, then again after `delay()` ms each time it settles, until `delay()` is
 * null or `stop()` is called. While the page is hidden nothing is asked; on return it loads at
 * once. `poke()` loads now (after an action) and restarts the cycle.
 */
export function startPolling(load: () => Promise<void>, delay: () => number | null, doc: VisibilitySource): {
	stop(): void;
	poke(): void;
} {
	let timer: ReturnType<typeof setTimeout> | null = null;
	let stopped = false;
	let running = false;
	let again = false;

	const clear = () => {
		if (timer !== null) clearTimeout(timer);
		timer = null;
	};
	const schedule = () => {
		clear();
		if (stopped || doc.visibilityState === 'hidden') return;
		const ms = delay();
		if (ms !== null) timer = setTimeout(tick, ms);
	};
	async function tick(): Promise<void> {
		clear();
		if (stopped) return;
		if (running) {
			again = true; // asked while a load is under way: load once more after it, with fresh data
			return;
		}
		running = true;
		do {
			again = false;
			try {
				await load();
			} catch {
				// `load` shows its own errors; keep trying on the same cadence
			}
		} while (again && !stopped);
		running = false;
		schedule();
	}
	const onVisibility = () => {
		if (doc.visibilityState === 'hidden') clear();
		else if (delay() !== null) void tick();
	};
	doc.addEventListener('visibilitychange', onVisibility);
	void tick();
	return {
		stop() {
			stopped = true;
			clear();
			doc.removeEventListener('visibilitychange', onVisibility);
		},
		poke() {
			void tick();
		}
	};
}

// ----- filters, kept in the URL -------------------------------------------------------------

/** The Queue's filters as its URL carries them: ids, a target state, and days (YYYY-MM-DD) in the user's zone. */
export interface QueueQuery {
	channel: string;
	campaign: string;
	state: TargetState | '';
	/** First day shown (scheduled on or after its start). */
	from: string;
	/** Last day shown (scheduled before the next day starts). */
	to: string;
}

export const NO_FILTERS: QueueQuery = { channel: '', campaign: '', state: '', from: '', to: '' };

/** The filters a URL carries; unknown states and broken dates are dropped. */
export function readQueueQuery(params: URLSearchParams): QueueQuery {
	const day = (name: string) => {
		const value = params.get(name) ?? '';
		return parseDate(value) ? value : '';
	};
	const state = params.get('state') ?? '';
	return {
		channel: params.get('channel') ?? '',
		campaign: params.get('campaign') ?? '',
		state: state in STATE_WORDS ? (state as TargetState) : '',
		from: day('from'),
		to: day('to')
	};
}

/** `/queue` with the filters that are set, so a reload or a shared link shows the same posts. */
export function queueHref(q: QueueQuery): string {
	const params = new URLSearchParams();
	for (const name of ['channel', 'campaign', 'state', 'from', 'to'] as const) if (q[name]) params.set(name, q[name]);
	const query = params.toString();
	return query ? `/queue?${query}` : '/queue';
}

export function isFiltered(q: QueueQuery): boolean {
	return Object.values(q).some(Boolean);
}

/** The API query for the Queue's scheduled posts: the days become the instants they start and end in `zone`. */
export function queueApiQuery(q: QueueQuery, zone: string): PostListQuery {
	const query: PostListQuery = { status: 'scheduled' };
	if (q.channel) query.channel_id = [q.channel];
	if (q.campaign) query.campaign_id = q.campaign;
	if (q.state) query.state = q.state;
	if (q.from) query.from = startOfDay(q.from, zone).toISOString();
	if (q.to) query.to = startOfDay(addDays(q.to, 1), zone).toISOString();
	return query;
}
