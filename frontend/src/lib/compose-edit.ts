/**
 * Editing a saved post in the Composer (`/compose?post=<id>`): whether it may still change, what the
 * Composer is loaded with, and only what changed, as the calls that save it.
 *
 * Rules (they mirror `domain/publishing/post.py`):
 * - editors and owners edit; a cancelled post cannot change, nor a post with a channel that is
 *   publishing, published or unconfirmed (what went out there stays as it went out);
 * - text, images and channels are one `PATCH` with the version loaded (`If-Match`); each channel's
 *   variant is its own `PUT` (a blank variant is removed with `DELETE`: the base text is used);
 * - the campaign is set when the post is written and is not changed here;
 * - changing a post that was approved (or approved and scheduled) withdraws the approval.
 */

import { ApiError, type MediaInfo, type Post, type Schemas } from './api';
import type { Attachment } from './compose-media';
import { failureOf, type Failure } from './failure';
import { wallTimeIn, type Draft } from './compose';
import { canWrite } from './review';

/** Target states that are out of the editor's hands. */
const LOCKED = ['publishing', 'published', 'unconfirmed'];

/** Whether a member with `role` may still change `post`. */
export function canEditPost(post: Pick<Post, 'status' | 'targets'>, role: string): boolean {
	return canWrite(role) && post.status !== 'cancelled' && !post.targets.some((t) => LOCKED.includes(t.state));
}

/** What the Composer shows for `post`: its texts, channels (not the cancelled ones), images and time in `zone`. */
export function draftOf(post: Post, zone: string): Draft & { media: string[] } {
	const channelIds = post.targets.filter((t) => t.state !== 'cancelled').map((t) => t.channel_id);
	const variants: Record<string, string> = {};
	for (const [id, text] of Object.entries(post.variants)) if (text) variants[id] = text;
	return {
		text: post.text,
		channelIds,
		campaignId: post.campaign_id ?? '',
		variants,
		media: [...post.media],
		scheduleAt: post.scheduled_at ? wallTimeIn(new Date(post.scheduled_at), zone) : '',
		zone
	};
}

/** The saves that turn `before` into `after`, in the order they are sent; `patch` null when text, images and channels are unchanged. */
export interface EditPlan {
	patch: Schemas['PostPatch'] | null;
	/** Variants to write, per channel. */
	setVariants: Record<string, string>;
	/** Channels whose variant is removed (the base text is used there again). */
	clearVariants: string[];
	/** Whether the publish time changed. */
	timeChanged: boolean;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function editPlan(before: Draft, after: Draft): EditPlan {
	const patch: Schemas['PostPatch'] = {};
	if (after.text !== before.text) patch.text = after.text;
	if (!sameList(after.media ?? [], before.media ?? [])) patch.media = [...(after.media ?? [])];
	if (!sameList([...after.channelIds].sort(), [...before.channelIds].sort())) patch.channel_ids = [...after.channelIds];
	const setVariants: Record<string, string> = {};
	const clearVariants: string[] = [];
	for (const id of after.channelIds) {
		const now = after.variants[id]?.trim() ? after.variants[id] : '';
		// A channel added now has no variant yet, whatever it had before it was removed.
		const was = before.channelIds.includes(id) ? (before.variants[id] ?? '') : '';
		if (now && now !== was) setVariants[id] = now;
		else if (!now && was) clearVariants.push(id);
	}
	return {
		patch: Object.keys(patch).length ? patch : null,
		setVariants,
		clearVariants,
		timeChanged: after.scheduleAt !== before.scheduleAt
	};
}

/** Whether the plan saves nothing. */
export function unchanged(plan: EditPlan): boolean {
	return !plan.patch && !Object.keys(plan.setVariants).length && !plan.clearVariants.length && !plan.timeChanged;
}

/** A save refused because someone else changed the post since it was loaded (409 `concurrent_modification`, or 412). */
export function isVersionConflict(err: unknown): boolean {
	return err instanceof ApiError && (err.status === 412 || (err.status === 409 && err.rule === 'concurrent_modification'));
}

/** A saved image as the Composer holds it: uploaded, with the alt text the server has (its bytes served from `url`). */
export function attachmentOf(info: MediaInfo, url: string, index: number): Attachment {
	return {
		key: info.ref,
		name: `Image ${index + 1}`,
		preview: url,
		alt: info.alt ?? '',
		savedAlt: info.alt ?? '',
		state: 'ready',
		progress: 1,
		ref: info.ref,
		size: info.size,
		width: info.width,
		height: info.height,
		animated: info.animated ?? false,
		error: null
	};
}

/**
 * A refused save (of a new post or an edit) as the Composer shows it: the fields renamed to the Composer's inputs (a variant's
 * `text` is that channel's variant, a schedule's `at` is the publish time), and a version conflict
 * said as such, with what to do.
 */
export function saveFailure(err: unknown, rename: Readonly<Record<string, string>> = {}): Failure & { conflict: boolean } {
	if (isVersionConflict(err))
		return {
			title: 'Someone else changed this post',
			detail:
				'It changed after you opened it here, so your last changes were not saved. Reload it to see what it is now, then make your changes again.',
			fields: {},
			conflict: true
		};
	const failure = failureOf(err);
	const fields: Record<string, string[]> = {};
	for (const [field, messages] of Object.entries(failure.fields)) (fields[rename[field] ?? field] ??= []).push(...messages);
	return { ...failure, fields, conflict: false };
}
