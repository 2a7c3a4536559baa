import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Channel, Member, Post, PostHistoryEntry, PostTarget } from './api';
import {
	NO_FILTERS,
	isFiltered,
	queueApiQuery,
	queueHref,
	readQueueQuery,
	canCancel,
	canCancelPost,
	canRetry,
	channelLabel,
	describeEvent,
	failureHeadline,
	isLive,
	nextDue,
	pollDelay,
	queueSections,
	relativeTime,
	startPolling,
	stateCounts,
	type HistoryContext,
	type VisibilitySource
} from './queue';

const BSKY = '11111111-1111-4111-8111-111111111111';
const MASTO = '22222222-2222-4222-8222-222222222222';
const ANN = '33333333-3333-4333-8333-333333333333';

function target(state: PostTarget['state'], extra: Partial<PostTarget> = {}): PostTarget {
	return {
		channel_id: BSKY,
		platform: 'bluesky',
		state,
		scheduled_at: '2026-06-03T12:00:00Z',
		attempts: 0,
		remote_id: null,
		url: null,
		failure: null,
		...extra
	};
}

function post(id: string, targets: PostTarget[], extra: Partial<Post> = {}): Post {
	return {
		id,
		campaign_id: null,
		author_id: ANN,
		status: 'scheduled',
		publish_state: 'scheduled',
		text: `post ${id}`,
		variants: {},
		media: [],
		timezone: 'Europe/Paris',
		local_time: null,
		scheduled_at: '2026-06-03T12:00:00Z',
		version: 3,
		created_at: '2026-06-01T08:00:00Z',
		updated_at: '2026-06-01T08:00:00Z',
		targets,
		...extra
	};
}

const channels: Channel[] = [
	{ id: BSKY, platform: 'bluesky', handle: 'sandbox.bsky.social', display_name: 'Sandbox', health: 'ok' } as Channel,
	{ id: MASTO, platform: 'mastodon', handle: '@sandbox@sandbox.social', display_name: 'Sandbox', health: 'ok' } as Channel
];
const members: Member[] = [{ user_id: ANN, email: 'ann@example.com', name: 'Ann', role: 'owner' }];

describe('queue sections', () => {
	it('puts failed and unconfirmed first, then the upcoming by due time, then recently published', () => {
		const later = post('later', [target('scheduled', { scheduled_at: '2026-06-03T15:00:00Z' })]);
		const sooner = post('sooner', [target('scheduled', { scheduled_at: '2026-06-03T09:00:00Z' })]);
		const going = post('going', [target('publishing', { scheduled_at: '2026-06-03T10:00:00Z' })]);
		const failed = post('failed', [target('published'), target('failed', { channel_id: MASTO, platform: 'mastodon' })]);
		const unsure = post('unsure', [target('unconfirmed')], { updated_at: '2026-06-02T08:00:00Z' });
		const done = post('done', [target('published')]);
		const cancelled = post('cancelled', [target('cancelled')], { status: 'cancelled' });
		const sections = queueSections([later, done, sooner, failed, cancelled, going, unsure]);
		expect(sections.attention.map((p) => p.id)).toEqual(['unsure', 'failed']);
		expect(sections.upcoming.map((p) => p.id)).toEqual(['sooner', 'going', 'later']);
		expect(sections.published.map((p) => p.id)).toEqual(['done']);
	});

	it('keeps only the most recent published posts', () => {
		const many = Array.from({ length: 15 }, (_, i) =>
			post(`p${i}`, [target('published')], { updated_at: new Date(Date.UTC(2026, 0, i + 1)).toISOString() })
		);
		const { published } = queueSections(many, 10);
		expect(published).toHaveLength(10);
		expect(published[0].id).toBe('p14');
	});

	it('counts targets per state in lifecycle order', () => {
		expect(stateCounts(post('a', [target('failed'), target('published'), target('published')]))).toEqual([
			['published', 2],
			['failed', 1]
		]);
	});

	it('knows what is live and when the next target is due', () => {
		expect(isLive(post('a', [target('published'), target('unconfirmed')]))).toBe(true);
		expect(isLive(post('a', [target('published'), target('failed')]))).toBe(false);
		expect(nextDue(post('a', [target('failed'), target('scheduled', { scheduled_at: '2026-06-03T09:00:00Z' })]))).toBe(
			Date.parse('2026-06-03T09:00:00Z')
		);
		expect(nextDue(post('a', [target('published')]))).toBeNull();
	});
});

describe('actions', () => {
	it('retries failed targets only', () => {
		expect(canRetry(target('failed'))).toBe(true);
		for (const s of ['scheduled', 'publishing', 'published', 'unconfirmed', 'cancelled'] as const) expect(canRetry(target(s))).toBe(false);
	});

	it('cancels a target until an attempt starts, and the post only when every open target can be', () => {
		expect(canCancel(target('scheduled'))).toBe(true);
		expect(canCancel(target('failed'))).toBe(true);
		expect(canCancel(target('publishing'))).toBe(false);
		expect(canCancel(target('published'))).toBe(false);
		expect(canCancelPost(post('a', [target('scheduled'), target('cancelled')]))).toBe(true);
		expect(canCancelPost(post('a', [target('scheduled'), target('published')]))).toBe(false);
		expect(canCancelPost(post('a', [target('cancelled')], { status: 'cancelled' }))).toBe(false);
	});
});

describe('times', () => {
	it('says roughly how far away an instant is', () => {
		const now = Date.parse('2026-06-03T12:00:00Z');
		expect(relativeTime('2026-06-03T12:00:12Z', now, 'en')).toBe('in 12 seconds');
		expect(relativeTime('2026-06-03T11:57:00Z', now, 'en')).toBe('3 minutes ago');
		expect(relativeTime('2026-06-03T15:00:00Z', now, 'en')).toBe('in 3 hours');
		expect(relativeTime('2026-06-01T12:00:00Z', now, 'en')).toBe('2 days ago');
	});
});

describe('labels', () => {
	it('names a target by its channel, or says the channel is gone', () => {
		expect(channelLabel(target('scheduled'), channels)).toBe('Bluesky · sandbox.bsky.social');
		expect(channelLabel({ channel_id: 'gone', platform: 'x' }, channels)).toBe('X (channel removed)');
	});

	it('headlines each failure reason', () => {
		expect(failureHeadline({ reason: 'auth_expired' })).toMatch(/refused the channel’s access/);
		expect(failureHeadline({ reason: 'unconfirmed' })).toMatch(/did not confirm/);
	});
});

describe('history', () => {
	const ctx: HistoryContext = {
		channels,
		members,
		targets: [target('published'), target('failed', { channel_id: MASTO, platform: 'mastodon' })],
		zone: 'Europe/Paris',
		locale: 'en-GB'
	};
	const entry = (event: string, details: Record<string, unknown>, actor_id: string | null = ANN): PostHistoryEntry => ({
		version: 1,
		event,
		at: '2026-06-03T12:00:00Z',
		actor_id,
		details
	});

	it('says who did what, in the zone the post was scheduled in', () => {
		expect(describeEvent(entry('Drafted', {}), ctx)).toEqual({ who: 'Ann', what: 'created the post' });
		expect(
			describeEvent(entry('Scheduled', { at: '2026-06-03T07:00:00Z', timezone: 'America/New_York' }), ctx).what
		).toBe('scheduled it for 3 Jun 2026, 03:00 EDT (America/New_York)');
		expect(describeEvent(entry('Cancelled', { channel_ids: [MASTO] }), ctx).what).toBe(
			'cancelled Mastodon · @sandbox@sandbox.social'
		);
		expect(describeEvent(entry('Approved', { note: 'Ship it' }), ctx).what).toBe('approved it: “Ship it”');
	});

	it('credits the worker to PostWizard and links the published post', () => {
		const line = describeEvent(entry('TargetPublished', { channel_id: BSKY, url: 'https://bsky.app/x' }, null), ctx);
		expect(line).toEqual({ who: 'PostWizard', what: 'published it on Bluesky · sandbox.bsky.social', url: 'https://bsky.app/x' });
		expect(
			describeEvent(entry('TargetFailed', { channel_id: MASTO, message: 'token expired', retry_at: null }, null), ctx).what
		).toBe('could not publish to Mastodon · @sandbox@sandbox.social: token expired');
	});

	it('names a removed member and an unknown event readably', () => {
		expect(describeEvent(entry('RetryRequested', { channel_id: MASTO }, 'someone-else'), ctx)).toEqual({
			who: 'A former member',
			what: 'retried Mastodon · @sandbox@sandbox.social'
		});
		expect(describeEvent(entry('CommentAdded', {}), ctx).what).toBe('comment added');
	});
});

describe('polling', () => {
	afterEach(() => vi.useRealTimers());

	it('asks often while publishing or due within a minute, slowly when far off, not at all when settled', () => {
		const now = Date.parse('2026-06-03T11:59:30Z');
		expect(pollDelay([post('a', [target('scheduled')])], now)).toBe(2000);
		expect(pollDelay([post('a', [target('scheduled', { scheduled_at: '2026-06-04T12:00:00Z' })])], now)).toBe(15000);
		expect(pollDelay([post('a', [target('publishing', { scheduled_at: '2026-06-04T12:00:00Z' })])], now)).toBe(2000);
		expect(pollDelay([post('a', [target('published'), target('failed')])], now)).toBeNull();
		expect(pollDelay([], now)).toBeNull();
	});

	class FakeDocument implements VisibilitySource {
		visibilityState: DocumentVisibilityState = 'visible';
		listeners = new Set<() => void>();
		addEventListener(_: 'visibilitychange', l: () => void) {
			this.listeners.add(l);
		}
		removeEventListener(_: 'visibilitychange', l: () => void) {
			this.listeners.delete(l);
		}
		set(state: DocumentVisibilityState) {
			this.visibilityState = state;
			for (const l of this.listeners) l();
		}
	}

	it('loads now, repeats while there is something to wait for, pauses while hidden, and stops', async () => {
		vi.useFakeTimers();
		const doc = new FakeDocument();
		let loads = 0;
		let settled = false;
		const poller = startPolling(
			async () => {
				loads++;
			},
			() => (settled ? null : 1000),
			doc
		);
		await vi.advanceTimersByTimeAsync(0);
		expect(loads).toBe(1);
		await vi.advanceTimersByTimeAsync(3000);
		expect(loads).toBe(4);

		doc.set('hidden');
		await vi.advanceTimersByTimeAsync(10_000);
		expect(loads).toBe(4); // nothing asked while the tab is hidden
		doc.set('visible');
		await vi.advanceTimersByTimeAsync(0);
		expect(loads).toBe(5); // at once on return

		settled = true;
		await vi.advanceTimersByTimeAsync(5000);
		expect(loads).toBe(6); // the timer already set fires once, then it stops
		poller.poke();
		await vi.advanceTimersByTimeAsync(0);
		expect(loads).toBe(7); // an action asks once more

		poller.stop();
		expect(doc.listeners.size).toBe(0);
		settled = false;
		poller.poke();
		await vi.advanceTimersByTimeAsync(5000);
		expect(loads).toBe(7);
	});

	it('keeps going after a failed load and reloads once more when poked during a load', async () => {
		vi.useFakeTimers();
		const doc = new FakeDocument();
		let loads = 0;
		let release: () => void = () => {};
		const poller = startPolling(
			() => {
				loads++;
				if (loads === 1) return new Promise<void>((resolve) => (release = resolve));
				if (loads === 3) return Promise.reject(new Error('offline'));
				return Promise.resolve();
			},
			() => 1000,
			doc
		);
		poller.poke(); // while the first load is under way
		release();
		await vi.advanceTimersByTimeAsync(0);
		expect(loads).toBe(2);
		await vi.advanceTimersByTimeAsync(2000);
		expect(loads).toBe(4); // the failure (3rd) did not stop it
		poller.stop();
	});
});

describe('action problems', () => {
	it('keeps the server’s detail and field errors, or the error’s message', async () => {
		const { ApiError } = await import('./api');
		const { actionProblem } = await import('./queue');
		const err = new ApiError({
			type: 'about:blank',
			title: 'Conflict',
			status: 409,
			detail: 'only a failed target can be retried; this one is published',
			errors: [{ field: 'channel_id', message: 'not a target' }]
		});
		expect(actionProblem('retry', err)).toEqual({
			action: 'retry',
			detail: 'only a failed target can be retried; this one is published',
			messages: ['channel_id: not a target']
		});
		expect(actionProblem('cancel', new Error('boom'))).toEqual({ action: 'cancel', detail: 'boom', messages: [] });
	});
});

describe('queue filters in the URL', () => {
	const read = (search: string) => readQueueQuery(new URLSearchParams(search));

	it('round-trips through the URL and drops unknown states and broken days', () => {
		const q = { channel: 'c1', campaign: 'k1', state: 'failed' as const, from: '2026-03-01', to: '2026-03-31' };
		expect(queueHref(q)).toBe('/queue?channel=c1&campaign=k1&state=failed&from=2026-03-01&to=2026-03-31');
		expect(read(queueHref(q).split('?')[1])).toEqual(q);
		expect(read('state=queued&from=2026-02-30&to=soon')).toEqual(NO_FILTERS);
		expect(queueHref(NO_FILTERS)).toBe('/queue');
		expect(isFiltered(NO_FILTERS)).toBe(false);
		expect(isFiltered({ ...NO_FILTERS, to: '2026-03-31' })).toBe(true);
	});

	it('asks the API for scheduled posts, with days turned into the instants they start in the zone', () => {
		expect(queueApiQuery(NO_FILTERS, 'Europe/Paris')).toEqual({ status: 'scheduled' });
		const q = { channel: 'c1', campaign: 'k1', state: 'published' as const, from: '2026-03-29', to: '2026-03-29' };
		// 29 March 2026 in Paris has 23 hours: it starts at 23:00 UTC the day before and ends at 22:00 UTC.
		expect(queueApiQuery(q, 'Europe/Paris')).toEqual({
			status: 'scheduled',
			channel_id: ['c1'],
			campaign_id: 'k1',
			state: 'published',
			from: '2026-03-28T23:00:00.000Z',
			to: '2026-03-29T22:00:00.000Z'
		});
		expect(queueApiQuery({ ...NO_FILTERS, to: '2026-11-01' }, 'America/New_York')).toEqual({
			status: 'scheduled',
			to: '2026-11-02T05:00:00.000Z'
		});
	});
});
