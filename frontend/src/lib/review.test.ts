import { describe, expect, it } from 'vitest';
import type { PostHistoryEntry } from './api';
import { lastDecision, reviewState } from './review';

const entry = (event: string, details: Record<string, unknown> = {}, version = 1): PostHistoryEntry => ({
	version,
	event,
	at: '2026-12-01T10:00:00Z',
	actor_id: 'u1',
	details
});

describe('reviewState', () => {
	it('is nothing where the workspace does not require approval', () => {
		expect(reviewState({ status: 'draft' }, 'owner', false)).toBeNull();
	});

	it('lets editors and owners submit a draft, not reviewers', () => {
		expect(reviewState({ status: 'draft' }, 'editor', true)?.actions).toEqual(['submit']);
		expect(reviewState({ status: 'draft' }, 'owner', true)?.actions).toEqual(['submit']);
		expect(reviewState({ status: 'draft' }, 'reviewer', true)?.actions).toEqual([]);
	});

	it('lets reviewers and owners decide on a post in review, and tells editors who can', () => {
		expect(reviewState({ status: 'in_review' }, 'reviewer', true)?.actions).toEqual(['review']);
		expect(reviewState({ status: 'in_review' }, 'owner', true)?.actions).toEqual(['review']);
		const editor = reviewState({ status: 'in_review' }, 'editor', true);
		expect(editor?.actions).toEqual([]);
		expect(editor?.detail).toMatch(/reviewer or owner/);
	});

	it('lets editors and owners schedule an approved post', () => {
		expect(reviewState({ status: 'approved' }, 'editor', true)?.actions).toEqual(['schedule']);
		expect(reviewState({ status: 'approved' }, 'reviewer', true)?.actions).toEqual([]);
		expect(reviewState({ status: 'scheduled' }, 'owner', true)?.label).toBe('Approved and scheduled');
	});
});

describe('lastDecision', () => {
	it('is the latest decision with its note, until the post is submitted again', () => {
		const history = [entry('Drafted'), entry('SubmittedForReview'), entry('ChangesRequested', { note: 'Shorter, please' })];
		expect(lastDecision(history)).toMatchObject({ event: 'ChangesRequested', note: 'Shorter, please' });
		expect(lastDecision([...history, entry('SubmittedForReview')])).toBeNull();
		expect(lastDecision([...history, entry('SubmittedForReview'), entry('Approved', {})])).toMatchObject({ event: 'Approved', note: '' });
		expect(lastDecision([])).toBeNull();
	});
});
