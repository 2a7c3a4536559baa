import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Post } from '$lib/api';
import { sentBody, sentPath } from '$lib/fetch-mock';
import { formatInstant } from '$lib/format';
import PostReschedule from './PostReschedule.svelte';

const ZONE = 'America/New_York';

function post(extra: Partial<Post> = {}): Post {
	return {
		id: 'p1',
		campaign_id: null,
		author_id: 'u1',
		status: 'scheduled',
		publish_state: 'scheduled',
		text: 'Soup season',
		variants: {},
		media: [],
		timezone: ZONE,
		local_time: null,
		scheduled_at: '2026-12-01T15:30:00Z', // 10:30 AM in New York
		version: 3,
		created_at: '2026-12-01T14:00:00Z',
		updated_at: '2026-12-01T14:00:00Z',
		targets: [],
		...extra
	};
}

function answer(body: unknown, status = 200) {
	const fetchMock = vi.fn(
		async (..._args: [RequestInfo | URL, RequestInit?]) =>
			new Response(JSON.stringify(body), {
				status,
				headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json' }
			})
	);
	vi.stubGlobal('fetch', fetchMock);
	return fetchMock;
}

describe('PostReschedule', () => {
	it('starts at the post’s time in the user’s zone and sends the wall time picked, seconds included', async () => {
		const moved = post({ scheduled_at: '2026-12-01T14:45:15Z' });
		const fetchMock = answer(moved);
		const onrescheduled = vi.fn();
		render(PostReschedule, { workspaceId: 'w1', post: post(), zone: ZONE, onrescheduled });

		const input = screen.getByLabelText(`Publish at (${ZONE})`) as HTMLInputElement;
		expect(input.value).toBe('2026-12-01T10:30');
		expect(screen.queryByText(/Leave empty to save a draft/)).toBeNull(); // a time is required here
		await fireEvent.input(input, { target: { value: '2026-12-01T09:45:15' } });
		await fireEvent.submit(input.form as HTMLFormElement);

		await vi.waitFor(() => expect(onrescheduled).toHaveBeenCalledWith(moved));
		expect(sentPath(fetchMock)).toBe('/api/workspaces/w1/posts/p1/reschedule');
		const sent = JSON.parse(await sentBody(fetchMock));
		expect(sent.timezone).toBe(ZONE);
		expect(sent.at).toMatch(/^2026-12-01T09:45:15(\.0+)?$/); // jsdom writes the milliseconds, Chromium does not
		expect(screen.getByRole('status').textContent).toBe(
			`Moved to ${formatInstant('2026-12-01T14:45:15Z', ZONE, { seconds: true })}.`
		);
	});

	it('shows the server’s refusal beside the time, and takes focus to say so', async () => {
		answer(
			{
				type: 'about:blank',
				title: 'The request is invalid',
				status: 422,
				detail: 'The time has passed.',
				errors: [{ field: 'at', message: '2026-12-01T09:00:00-05:00 is in the past; choose a later time' }]
			},
			422
		);
		const onrescheduled = vi.fn();
		render(PostReschedule, { workspaceId: 'w1', post: post(), zone: ZONE, onrescheduled });

		await fireEvent.submit(screen.getByRole('button', { name: 'Reschedule' }).closest('form') as HTMLFormElement);

		const alert = await screen.findByRole('alert');
		expect(alert.textContent).toContain('The request is invalid');
		expect(document.activeElement).toBe(alert);
		const input = screen.getByLabelText(`Publish at (${ZONE})`);
		expect(input.getAttribute('aria-invalid')).toBe('true');
		expect(document.getElementById('compose-schedule-error')?.textContent).toContain('is in the past; choose a later time');
		expect(onrescheduled).not.toHaveBeenCalled();
	});

	it('refuses an empty time before asking the server', async () => {
		const fetchMock = answer({});
		render(PostReschedule, { workspaceId: 'w1', post: post(), zone: ZONE, onrescheduled: vi.fn() });
		const input = screen.getByLabelText(`Publish at (${ZONE})`);
		await fireEvent.input(input, { target: { value: '' } });
		await fireEvent.submit(input.closest('form') as HTMLFormElement);

		expect((await screen.findByRole('alert')).textContent).toContain(`Pick a date and time (in ${ZONE})`);
		expect(fetchMock).not.toHaveBeenCalled();
	});
});
