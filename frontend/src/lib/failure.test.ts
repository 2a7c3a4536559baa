import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { describedBy, failureOf, messageOf, otherMessages } from './failure';

describe('failures', () => {
	it("keeps the server's words and its messages per field", () => {
		const error = new ApiError({
			type: 'about:blank',
			title: 'Invalid input',
			status: 422,
			detail: 'instance_url: name your instance',
			errors: [
				{ field: 'body.instance_url', message: 'name your instance, e.g. mastodon.social' },
				{ field: 'platform', message: 'must be one of mastodon, x' }
			]
		});
		const failure = failureOf(error);
		expect(failure.detail).toBe('instance_url: name your instance');
		expect(failure.fields.instance_url).toEqual(['name your instance, e.g. mastodon.social']);
		expect(otherMessages(failure.fields, ['instance_url'])).toEqual(['platform: must be one of mastodon, x']);
		expect(otherMessages(null, [])).toEqual([]);
		expect(describedBy('m', failure.fields.instance_url)).toBe('m-hint m-error');
		expect(describedBy('m', undefined)).toBe('m-hint');
		expect(describedBy('m', undefined, false)).toBeUndefined();
		expect(failureOf(new Error('boom'))).toEqual({ title: 'Something went wrong', detail: 'boom', fields: {} });
	});

	it('says an error in words: the server’s detail, or the message', () => {
		expect(messageOf(new ApiError({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'taken' }))).toBe('taken');
		expect(messageOf(new Error('boom'))).toBe('boom');
		expect(messageOf('plain')).toBe('plain');
	});
});
