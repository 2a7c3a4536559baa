import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CalendarEntry } from '$lib/calendar';
import { sentBody, sentPath } from '$lib/fetch-mock';
import CalendarBoard from './CalendarBoard.svelte';

const ZONE = 'Europe/Berlin';
const WORKSPACE = 'w1';

function entry(post: number, at: string, extra: Partial<CalendarEntry> = {}): CalendarEntry {
	return {
		post_id: `p${post}`,
		channel_id: 'c1',
		platform: 'bluesky',
		campaign_id: null,
		scheduled_at: at,
		timezone: ZONE,
		state: 'scheduled',
		preview: `post ${post}`,
		...extra
	};
}

/** The API answering every request with `status` (a problem when >= 400), as `fetch` sees it. */
function stubFetch(status = 200, problem?: object) {
	const fetch = vi.fn(async (_request: Request) =>
		status < 300
			? new Response(JSON.stringify({}), { status, headers: { 'Content-Type': 'application/json' } })
			: new Response(JSON.stringify(problem), { status, headers: { 'Content-Type': 'application/problem+json' } })
	);
	vi.stubGlobal('fetch', fetch);
	return fetch;
}

function board(view: 'month' | 'week' | 'day', date: string, entries: CalendarEntry[]) {
	return render(CalendarBoard, {
		entries,
		view,
		date,
		zone: ZONE,
		today: '2027-10-01',
		workspaceId: WORKSPACE,
		channelName: () => 'Bluesky · bakery.bsky.social',
		dayHref: (day: string) => `/calendar?view=day&date=${day}`
	});
}

/** What a browser's drag carries between dragstart and drop. */
function dataTransfer() {
	const data = new Map<string, string>();
	return {
		setData: (type: string, value: string) => data.set(type, value),
		getData: (type: string) => data.get(type) ?? '',
		effectAllowed: 'all',
		dropEffect: 'none'
	};
}

async function drag(chip: Element, target: Element): Promise<void> {
	const carried = dataTransfer();
	await fireEvent.dragStart(chip, { dataTransfer: carried });
	await fireEvent.dragOver(target, { dataTransfer: carried });
	await fireEvent.drop(target, { dataTransfer: carried });
}

function cell(container: HTMLElement, selector: string): HTMLElement {
	const found = container.querySelector<HTMLElement>(selector);
	if (!found) throw new Error(`no ${selector}`);
	return found;
}

function chip(container: HTMLElement, post: string): HTMLElement {
	return cell(container, `[data-post="${post}"]`);
}

/** The reschedule requests sent so far, as [path, body]. */
async function reschedules(fetch: ReturnType<typeof stubFetch>): Promise<[string, unknown][]> {
	return Promise.all(fetch.mock.calls.map(async (_, n) => [sentPath(fetch, n), JSON.parse(await sentBody(fetch, n))] as [string, unknown]));
}

async function dismissToast(): Promise<void> {
	const dismiss = within(screen.getByTestId('calendar-toast')).queryByRole('button', { name: 'Dismiss' });
	if (dismiss) await fireEvent.click(dismiss);
}

afterEach(() => vi.unstubAllGlobals());

describe('the month view with 1,000 posts', () => {
	it("shows every day's count: up to three chips and '+N more' to that day's day view", () => {
		// Uneven days: post k on the ((k * k) mod 30) + 1-th of November 2027, at 12:00 UTC (13:00 in Berlin).
		const entries = Array.from({ length: 1000 }, (_, k) => {
			const day = ((k * k) % 30) + 1;
			return entry(k, `2027-11-${String(day).padStart(2, '0')}T12:${String(k % 60).padStart(2, '0')}:00Z`);
		});
		const expected = new Map<string, number>();
		for (const e of entries) expected.set(e.scheduled_at.slice(0, 10), (expected.get(e.scheduled_at.slice(0, 10)) ?? 0) + 1);
		expect(new Set(expected.values()).size).toBeGreaterThan(3); // days differ, some have none

		const { container } = board('month', '2027-11-15', entries);
		for (let day = 1; day <= 30; day++) {
			const date = `2027-11-${String(day).padStart(2, '0')}`;
			const td = cell(container, `td[data-date="${date}"]`);
			const count = expected.get(date) ?? 0;
			const chips = td.querySelectorAll('[data-testid=calendar-entry]');
			const more = td.querySelector<HTMLAnchorElement>('[data-testid=calendar-more]');
			expect(chips.length, date).toBe(Math.min(count, 3));
			if (count > 3) {
				expect(more?.textContent?.replace(/\s+/g, ' ').trim(), date).toMatch(new RegExp(`^\\+${count - 3} more on \\w+day, (November ${day}|${day} November)$`));
				expect(more?.getAttribute('href')).toBe(`/calendar?view=day&date=${date}`);
			} else {
				expect(more, date).toBeNull();
			}
		}
		expect(container.querySelectorAll('[data-testid=calendar-entry]').length).toBe(
			[...expected.values()].reduce((n, c) => n + Math.min(c, 3), 0)
		);
	});
});

describe('moving a post', () => {
	// 10:00 in Berlin on Saturday 30 October 2027 (UTC+2); clocks go back on Sunday 31 October.
	const saturday = () => entry(1, '2027-10-30T08:00:00Z');

	it('dragged to the day clocks go back, keeps 10:00 on the wall clock; Undo moves it back', async () => {
		const fetch = stubFetch();
		const { container } = board('month', '2027-10-15', [saturday()]);
		await drag(chip(container, 'p1'), cell(container, 'td[data-date="2027-10-31"]'));

		await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
		expect(await reschedules(fetch)).toEqual([
			// Sunday 10:00 in Berlin is UTC+1 already: 09:00Z.
			[`/api/workspaces/${WORKSPACE}/posts/p1/reschedule`, { at: '2027-10-31T09:00:00.000Z', timezone: ZONE, channel_ids: ['c1'] }]
		]);
		expect(cell(container, 'td[data-date="2027-10-31"]').querySelector('[data-post="p1"] time')?.getAttribute('datetime')).toBe(
			'2027-10-31T09:00:00.000Z'
		);
		expect(cell(container, 'td[data-date="2027-10-30"]').querySelector('[data-post="p1"]')).toBeNull();

		await fireEvent.click(await screen.findByRole('button', { name: 'Undo' }));
		await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
		expect((await reschedules(fetch))[1][1]).toEqual({ at: '2027-10-30T08:00:00.000Z', timezone: ZONE, channel_ids: ['c1'] });
		await vi.waitFor(() => expect(cell(container, 'td[data-date="2027-10-30"]').querySelector('[data-post="p1"]')).not.toBeNull());
		await screen.findByText(/^Moved back to/);
		await dismissToast();
	});

	it('dropped on the repeated 02:00 of the 25-hour day, goes to 02:00 UTC+1 keeping its minutes', async () => {
		const fetch = stubFetch();
		const { container } = board('day', '2027-10-31', [entry(2, '2027-10-31T08:45:00Z')]); // 09:45 UTC+1
		expect(container.querySelectorAll('tbody tr')).toHaveLength(25);
		const labels = [...container.querySelectorAll('tbody th')].map((th) => th.textContent);
		expect(labels.slice(1, 5)).toEqual(['01:00', '02:00 UTC+2', '02:00 UTC+1', '03:00']);
		expect(cell(container, 'td[data-slot="2027-10-31 9"]').querySelector('[data-post="p2"]')).not.toBeNull();

		await drag(chip(container, 'p2'), cell(container, 'td[data-slot="2027-10-31 2 again"]'));
		await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
		expect((await reschedules(fetch))[0][1]).toEqual({ at: '2027-10-31T01:45:00.000Z', timezone: ZONE, channel_ids: ['c1'] });
		expect(cell(container, 'td[data-slot="2027-10-31 2 again"]').querySelector('[data-post="p2"]')).not.toBeNull();
		expect(cell(container, 'td[data-slot="2027-10-31 2"]').querySelector('[data-post="p2"]')).toBeNull();
		await dismissToast();
	});

	it('has 23 hour rows on the day clocks go forward, the post in its row', () => {
		stubFetch();
		const { container } = board('day', '2027-03-28', [entry(3, '2027-03-28T01:15:00Z')]); // 03:15 UTC+2
		expect(container.querySelectorAll('tbody tr')).toHaveLength(23);
		expect(container.querySelector('td[data-slot="2027-03-28 2"]')).toBeNull();
		expect(cell(container, 'td[data-slot="2027-03-28 3"]').querySelector('[data-post="p3"]')).not.toBeNull();
	});

	it('moves with Alt+arrow: a day keeping the wall clock, an hour through the repeated one; Undo too', async () => {
		const fetch = stubFetch();
		// 10:00 on Sunday 31 October (UTC+1), Alt+ArrowLeft: 10:00 on Saturday, UTC+2.
		const month = board('month', '2027-10-15', [entry(1, '2027-10-31T09:00:00Z')]);
		await fireEvent.keyDown(chip(month.container, 'p1'), { key: 'ArrowLeft', altKey: true });
		await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
		expect((await reschedules(fetch))[0][1]).toMatchObject({ at: '2027-10-30T08:00:00.000Z' });
		await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-post')).toBe('p1'));
		expect(cell(month.container, 'td[data-date="2027-10-30"]').querySelector('[data-post="p1"]')).not.toBeNull();
		await fireEvent.click(await screen.findByRole('button', { name: 'Undo' }));
		await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
		expect((await reschedules(fetch))[1][1]).toMatchObject({ at: '2027-10-31T09:00:00.000Z' });
		await dismissToast();
		month.unmount();

		// 02:30 UTC+2 (00:30Z) on the 25-hour day, Alt+ArrowDown: the next hour on the clock is 02:30 again, UTC+1.
		const day = board('day', '2027-10-31', [entry(4, '2027-10-31T00:30:00Z')]);
		await fireEvent.keyDown(chip(day.container, 'p4'), { key: 'ArrowDown', altKey: true });
		await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(3));
		expect((await reschedules(fetch))[2][1]).toMatchObject({ at: '2027-10-31T01:30:00.000Z' });
		expect(cell(day.container, 'td[data-slot="2027-10-31 2 again"]').querySelector('[data-post="p4"]')).not.toBeNull();
		await dismissToast();
	});

	it('refused by the server, goes back where it was and shows the reason with what to do', async () => {
		stubFetch(409, {
			type: 'https://postwizard.dev/problems/rule-violated',
			title: 'Not allowed',
			status: 409,
			detail: '2027-10-29T08:00:00+00:00 is in the past; choose a later time',
			rule: 'schedule_in_past'
		});
		const { container } = board('month', '2027-10-15', [saturday()]);
		await drag(chip(container, 'p1'), cell(container, 'td[data-date="2027-10-29"]'));

		const alert = await screen.findByText(/is in the past; choose a later time/);
		expect(alert.closest('[tabindex]')).toBe(document.activeElement);
		expect(screen.getByText(/back where it was/)).toBeTruthy();
		expect(screen.getByRole('link', { name: 'open the post' }).getAttribute('href')).toBe('/posts/p1');
		expect(cell(container, 'td[data-date="2027-10-30"]').querySelector('[data-post="p1"]')).not.toBeNull();
		expect(cell(container, 'td[data-date="2027-10-29"]').querySelector('[data-post="p1"]')).toBeNull();
		expect(within(screen.getByTestId('calendar-toast')).queryByRole('button', { name: 'Undo' })).toBeNull();
	});
});
