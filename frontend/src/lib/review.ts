/**
 * A post's approval step as the post page shows it: where the post is, what the signed-in member
 * may do about it, and who else can. Mirrors the backend's rules (`domain/shared/roles.py`,
 * `application/publishing/review.py`, `domain/publishing/post.py`):
 * - editors and owners write, submit (a draft, only where the workspace requires approval) and schedule;
 * - reviewers and owners approve or request changes, only while the post is in review;
 * - an approved post is scheduled by an editor or owner; changing it withdraws the approval.
 */

import type { Post, PostHistoryEntry } from './api';

export type ReviewAction = 'submit' | 'review' | 'schedule';

export interface ReviewState {
	/** The post's review state in a few words. */
	label: string;
	/** What happens next, and who does it. */
	detail: string;
	/** What this member may do now. */
	actions: ReviewAction[];
}

const WRITERS = ['owner', 'editor'];
const REVIEWERS = ['owner', 'reviewer'];

export function canWrite(role: string): boolean {
	return WRITERS.includes(role);
}

export function canReview(role: string): boolean {
	return REVIEWERS.includes(role);
}

/** The review panel for `post` as a member with `role` sees it; null where the workspace does not require approval. */
export function reviewState(post: Pick<Post, 'status'>, role: string, requiresApproval: boolean): ReviewState | null {
	if (!requiresApproval) return null;
	switch (post.status) {
		case 'draft':
			return {
				label: 'Not submitted',
				detail: canWrite(role)
					? 'Submit it when it is ready: a reviewer or owner of this workspace approves it before it can be scheduled.'
					: 'An editor or owner submits it for approval when it is ready.',
				actions: canWrite(role) ? ['submit'] : []
			};
		case 'in_review':
			return {
				label: 'Waiting for approval',
				detail: canReview(role)
					? 'Approve it, or ask for changes with a note saying what to change.'
					: 'A reviewer or owner of this workspace approves it or asks for changes; you will see their note here.',
				actions: canReview(role) ? ['review'] : []
			};
		case 'approved':
			return {
				label: 'Approved',
				detail: canWrite(role)
					? 'Choose when it goes out. Editing it now would withdraw the approval.'
					: 'An editor or owner schedules it.',
				actions: canWrite(role) ? ['schedule'] : []
			};
		case 'scheduled':
			return { label: 'Approved and scheduled', detail: 'Editing it would withdraw the approval and un-schedule it.', actions: [] };
		default:
			return { label: post.status.replace('_', ' '), detail: '', actions: [] };
	}
}

/** The last reviewer's decision with its note ("asked for changes: …"), or null when there was none. */
export function lastDecision(history: readonly PostHistoryEntry[]): { event: 'Approved' | 'ChangesRequested'; note: string; actor_id: string | null; at: string } | null {
	for (let i = history.length - 1; i >= 0; i--) {
		const entry = history[i];
		if (entry.event === 'SubmittedForReview') return null; // a newer submission: the old decision is settled
		if (entry.event === 'Approved' || entry.event === 'ChangesRequested') {
			const note = typeof entry.details.note === 'string' ? entry.details.note : '';
			return { event: entry.event, note, actor_id: entry.actor_id ?? null, at: entry.at };
		}
	}
	return null;
}
