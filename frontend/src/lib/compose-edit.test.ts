import { describe, expect, it } from 'vitest';
import { ApiError, type MediaInfo, type Post } from './api';
import { altChanged } from './compose-media';
import { attachmentOf, canEditPost, draftOf, saveFailure, editPlan, isVersionConflict, unchanged } from './compose-edit';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';

function post(overrides: Partial<Post> = {}): Post {
	return {
		id: 'p1',
		campaign_id: 'k1',
		author_id: 'u1',
		status: 'scheduled',
		publish_state: 'scheduled',
		text: 'Fresh bread',
		variants: { [B]: 'Fresh bread on Bluesky' },
		media: ['m1', 'm2'],
		timezone: 'Europe/Berlin',
		local_time: '2026-07-01T14:30:00',
		scheduled_at: '2026-07-01T12:30:00Z',
		version: 4,
		created_at: '2026-06-01T00:00:00Z',
		updated_at: '2026-06-01T00:00:00Z',
		targets: [
			{ channel_id: A, platform: 'mastodon', state: 'scheduled' },
			{ channel_id: B, platform: 'bluesky', state: 'scheduled' },
			{ channel_id: C, platform: 'x', state: 'cancelled' }
		],
		...overrides
	} as Post;
}

describe('canEditPost', () => {
	it('lets editors and owners change a post until something went out or it was cancelled', () => {
		expect(canEditPost(post(), 'editor')).toBe(true);
		expect(canEditPost(post({ status: 'draft' }), 'owner')).toBe(true);
		expect(canEditPost(post(), 'reviewer')).toBe(false);
		expect(canEditPost(post(), 'viewer')).toBe(false);
		expect(canEditPost(post({ status: 'cancelled' }), 'owner')).toBe(false);
		for (const state of ['publishing', 'published', 'unconfirmed'])
			expect(canEditPost(post({ targets: [{ ...post().targets[0], state }] } as Partial<Post>), 'owner')).toBe(false);
		expect(canEditPost(post({ targets: [{ ...post().targets[0], state: 'failed' }] } as Partial<Post>), 'owner')).toBe(true);
	});
});

describe('draftOf', () => {
	it('loads the texts, the channels still targeted, the campaign, the images and the time in the user’s zone', () => {
		expect(draftOf(post(), 'America/New_York')).toEqual({
			text: 'Fresh bread',
			channelIds: [A, B],
			campaignId: 'k1',
			variants: { [B]: 'Fresh bread on Bluesky' },
			media: ['m1', 'm2'],
			scheduleAt: '2026-07-01T08:30',
			zone: 'America/New_York'
		});
	});

	it('leaves the time empty for a draft and the campaign empty without one', () => {
		const draft = draftOf(post({ status: 'draft', scheduled_at: null, campaign_id: null }), 'UTC');
		expect(draft.scheduleAt).toBe('');
		expect(draft.campaignId).toBe('');
	});
});

describe('editPlan', () => {
	const before = draftOf(post(), 'Europe/Berlin');

	it('sends nothing when nothing changed', () => {
		const plan = editPlan(before, { ...before, channelIds: [B, A] });
		expect(plan).toEqual({ patch: null, setVariants: {}, clearVariants: [], timeChanged: false });
		expect(unchanged(plan)).toBe(true);
	});

	it('sends only the changed text, images or channels', () => {
		expect(editPlan(before, { ...before, text: 'Fresh bread on Friday' }).patch).toEqual({ text: 'Fresh bread on Friday' });
		expect(editPlan(before, { ...before, media: ['m2', 'm1'] }).patch).toEqual({ media: ['m2', 'm1'] });
		expect(editPlan(before, { ...before, media: [] }).patch).toEqual({ media: [] });
		expect(editPlan(before, { ...before, channelIds: [A] }).patch).toEqual({ channel_ids: [A] });
	});

	it('writes a changed or new variant and removes one left blank', () => {
		const plan = editPlan(before, { ...before, variants: { [A]: 'For Mastodon', [B]: '  ' } });
		expect(plan.setVariants).toEqual({ [A]: 'For Mastodon' });
		expect(plan.clearVariants).toEqual([B]);
		expect(unchanged(plan)).toBe(false);
	});

	it('does not touch the variant of a channel that is removed (it goes with the channel)', () => {
		const plan = editPlan(before, { ...before, channelIds: [A] });
		expect(plan.clearVariants).toEqual([]);
		expect(plan.setVariants).toEqual({});
	});

	it('writes the variant of a channel added back, as it has none any more', () => {
		const removed = { ...before, channelIds: [A], variants: {} };
		const plan = editPlan(removed, { ...removed, channelIds: [A, B], variants: { [B]: 'Fresh bread on Bluesky' } });
		expect(plan.patch).toEqual({ channel_ids: [A, B] });
		expect(plan.setVariants).toEqual({ [B]: 'Fresh bread on Bluesky' });
	});

	it('notices a new publish time', () => {
		expect(editPlan(before, { ...before, scheduleAt: '2026-07-01T15:00' }).timeChanged).toBe(true);
	});
});

describe('isVersionConflict', () => {
	const problem = (status: number, rule?: string) =>
		new ApiError({ type: 'about:blank', title: 'Changed by someone else', status, detail: '', ...(rule ? { rule } : {}) });

	it('is a 409 naming concurrent_modification, or a 412', () => {
		expect(isVersionConflict(problem(409, 'concurrent_modification'))).toBe(true);
		expect(isVersionConflict(problem(412))).toBe(true);
		expect(isVersionConflict(problem(409, 'post_cancelled'))).toBe(false);
		expect(isVersionConflict(new Error('offline'))).toBe(false);
	});
});

describe('attachmentOf', () => {
	it('holds a saved image as uploaded, its alt text already saved', () => {
		const image = attachmentOf(
			{ ref: 'm1', alt: 'A loaf', size: 1200, width: 800, height: 600, mime_type: 'image/png', animated: false } as MediaInfo,
			'/content/m1',
			0
		);
		expect(image).toMatchObject({ key: 'm1', ref: 'm1', state: 'ready', alt: 'A loaf', savedAlt: 'A loaf', preview: '/content/m1' });
		expect(altChanged([image])).toEqual([]);
	});
});

describe('saveFailure', () => {
	it('shows a variant’s refused text on that variant, and a refused time on the publish time', () => {
		const refused = new ApiError({
			type: 'about:blank',
			title: 'Invalid input',
			status: 422,
			detail: 'Check the fields',
			errors: [{ field: 'body.text', message: 'is too long' }]
		});
		expect(saveFailure(refused, { text: `variants.${B}` })).toEqual({
			title: 'Invalid input',
			detail: 'Check the fields',
			fields: { [`variants.${B}`]: ['is too long'] },
			conflict: false
		});
		expect(saveFailure(refused).fields).toEqual({ text: ['is too long'] });
	});

	it('says a version conflict is someone else’s change, and to reload', () => {
		const failure = saveFailure(new ApiError({ type: 'about:blank', title: 'Changed by someone else', status: 409, detail: '', rule: 'concurrent_modification' }));
		expect(failure.conflict).toBe(true);
		expect(failure.title).toBe('Someone else changed this post');
		expect(failure.detail).toMatch(/Reload it/);
	});
});
