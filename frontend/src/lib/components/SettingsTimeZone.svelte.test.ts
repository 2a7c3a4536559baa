import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sentBody, sentPath } from '$lib/fetch-mock';
import { browserZone, userZone } from '$lib/format';
import { session } from '$lib/session.svelte';
import SettingsTimeZone from './SettingsTimeZone.svelte';

const user = { id: 'u1', email: 'ada@example.com', name: 'Ada' };

function answer(body: unknown, status = 200): Response {
	const type = status >= 400 ? 'application/problem+json' : 'application/json';
	return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

function stub(...responses: Response[]) {
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	const fetchMock = vi.fn(async (..._args: any[]) => responses.shift() ?? Promise.reject(new Error('unexpected request')));
	vi.stubGlobal('fetch', fetchMock);
	return fetchMock;
}

const current = () => screen.getByTestId('zone-current').textContent?.replace(/\s+/g, ' ').trim();
const OTHER = browserZone() === 'Asia/Tokyo' ? 'Europe/Berlin' : 'Asia/Tokyo';

describe('SettingsTimeZone', () => {
	beforeEach(() => session.signIn({ user: { ...user, time_zone: null }, workspaces: [] }));
	afterEach(() => session.signOut());

	it('starts on the browser’s zone, finds a zone by search, saves it and says so', async () => {
		const fetchMock = stub(answer({ ...user, time_zone: OTHER, workspaces: [] }));
		render(SettingsTimeZone);
		expect(current()).toMatch(new RegExp(`^Times are shown in ${browserZone()} \\(UTC[+-]\\d{2}:\\d{2} now\\), this browser’s zone\\.$`));
		expect((screen.getByRole('radio', { name: /^Use this browser’s zone/ }) as HTMLInputElement).checked).toBe(true);
		const save = screen.getByRole('button', { name: 'Save time zone' }) as HTMLButtonElement;
		expect(save.disabled).toBe(true);

		await fireEvent.input(screen.getByLabelText('Search zones'), { target: { value: OTHER.split('/')[1].toLowerCase() } });
		const select = screen.getByLabelText('Zone') as HTMLSelectElement;
		expect([...select.options].map((o) => o.value)).toContain(OTHER);
		await fireEvent.change(select, { target: { value: OTHER } });
		expect((screen.getByRole('radio', { name: 'Choose a zone' }) as HTMLInputElement).checked).toBe(true);
		await fireEvent.click(save);

		await screen.findByText(`Saved. Times on every screen are now shown in ${OTHER}.`);
		expect(sentPath(fetchMock)).toBe('/api/auth/me');
		expect(JSON.parse(await sentBody(fetchMock))).toEqual({ time_zone: OTHER });
		expect(userZone()).toBe(OTHER);
		expect(current()).toContain(`Times are shown in ${OTHER} (`);
		expect(current()).toContain('your setting');
	});

	it('goes back to the browser’s zone by saving null', async () => {
		session.setTimeZone(OTHER);
		const fetchMock = stub(answer({ ...user, time_zone: null, workspaces: [] }));
		render(SettingsTimeZone);
		await fireEvent.click(screen.getByRole('radio', { name: /^Use this browser’s zone/ }));
		await fireEvent.click(screen.getByRole('button', { name: 'Save time zone' }));
		await screen.findByText(`Saved. Times now follow this browser’s zone (${browserZone()}).`);
		expect(JSON.parse(await sentBody(fetchMock))).toEqual({ time_zone: null });
		expect(userZone()).toBe(browserZone());
	});

	it('shows the server’s refusal beside the list and in a summary, and keeps the zone in use', async () => {
		stub(
			answer(
				{
					type: '/problems/validation',
					title: 'The request is invalid',
					status: 422,
					detail: "time_zone: 'Asia/Tokyo' is not an IANA time zone; use a name such as 'Europe/Berlin'",
					errors: [{ field: 'time_zone', message: "'Asia/Tokyo' is not an IANA time zone; use a name such as 'Europe/Berlin'" }]
				},
				422
			)
		);
		render(SettingsTimeZone);
		await fireEvent.change(screen.getByLabelText('Zone'), { target: { value: OTHER } });
		await fireEvent.click(screen.getByRole('button', { name: 'Save time zone' }));
		const summary = await screen.findByRole('alert');
		expect(summary.textContent).toContain('Could not save the time zone');
		const select = screen.getByLabelText('Zone');
		expect(select.getAttribute('aria-invalid')).toBe('true');
		expect(document.getElementById('zone-select-error')?.textContent).toContain("use a name such as 'Europe/Berlin'");
		expect(userZone()).toBe(browserZone());
	});
});
