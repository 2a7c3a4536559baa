import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browserZone } from '$lib/format';
import ComposeSchedule from './ComposeSchedule.svelte';

const ZONE = 'Europe/Berlin';

/** The picker with its value held by the test, as the Composer holds it (bind:value). */
function picker(value = '', zone = ZONE) {
	const props = $state({ value, zone });
	render(ComposeSchedule, props);
	const input = screen.getByLabelText(`Publish at (${zone})`) as HTMLInputElement;
	const type = (wall: string) => fireEvent.input(input, { target: { value: wall } });
	return { props, input, type };
}

const utcLine = () => screen.getByTestId('compose-utc').textContent?.replace(/\s+/g, ' ').trim() ?? '';
const note = () => screen.getByTestId('zone-note').textContent?.replace(/\s+/g, ' ').trim();
const errors = () => document.getElementById('compose-schedule-error')?.textContent ?? '';

describe('ComposeSchedule in Europe/Berlin', () => {
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2027-01-15T12:00:00Z'));
	});
	afterEach(() => vi.useRealTimers());

	it('always names the zone and shows the UTC instant of the chosen time', async () => {
		const { type, input } = picker();
		expect(note()).toMatch(/^Times are in Europe\/Berlin, /);
		await type('2027-12-01T09:00');
		expect(utcLine()).toMatch(/^Dec 1, 2027, 9:00 AM CET \(Europe\/Berlin\) is Dec 1, 2027, 8:00 AM UTC\.$/);
		expect(input.getAttribute('aria-describedby')).toContain('compose-schedule-utc');
		expect(input.getAttribute('aria-invalid')).toBeNull();
		await type('2027-07-01T09:00');
		expect(utcLine()).toContain('CEST (Europe/Berlin) is Jul 1, 2027, 7:00 AM UTC');
	});

	it('refuses a time in the spring-forward gap, naming the gap, and offers the time after it', async () => {
		const { props, type, input } = picker();
		await type('2027-03-28T02:30');
		expect(errors()).toContain('2027-03-28 02:30 does not exist in Europe/Berlin');
		expect(errors()).toContain('the clocks jump from 02:00 to 03:00');
		expect(input.getAttribute('aria-invalid')).toBe('true');
		expect(input.getAttribute('aria-describedby')).toContain('compose-schedule-error');
		expect(utcLine()).toBe(''); // no instant for a time that does not exist

		await fireEvent.click(screen.getByRole('button', { name: 'Use 03:00 instead' }));
		expect(props.value).toBe('2027-03-28T03:00');
		expect(errors()).toBe('');
		expect(utcLine()).toContain('Mar 28, 2027, 3:00 AM CEST (Europe/Berlin) is Mar 28, 2027, 1:00 AM UTC');
	});

	it('lets the user choose which 02:30 of the autumn overlap, showing the UTC instant of each', async () => {
		const { props, type } = picker();
		await type('2027-10-31T02:30');
		const group = screen.getByRole('group', { name: /02:30 happens twice in Europe\/Berlin/ });
		const [first, second] = within(group).getAllByRole('radio') as HTMLInputElement[];
		const label = (radio: HTMLInputElement) => radio.closest('label')?.textContent?.replace(/\s+/g, ' ') ?? '';
		expect(label(first)).toContain('Oct 31, 2027, 2:30 AM CEST (Europe/Berlin), that is Oct 31, 2027, 12:30 AM UTC');
		expect(label(second)).toContain('Oct 31, 2027, 2:30 AM CET (Europe/Berlin), that is Oct 31, 2027, 1:30 AM UTC');
		expect(first.checked && !second.checked).toBe(true); // the first, as the server takes a bare wall time
		expect(props.value).toBe('2027-10-31T02:30');
		expect(utcLine()).toContain('12:30 AM UTC');

		await fireEvent.click(second);
		expect(props.value).toBe('2027-10-31T02:30:00+01:00'); // sent with its offset, so the server takes the second
		expect(second.checked).toBe(true);
		expect(utcLine()).toContain('2:30 AM CET (Europe/Berlin) is Oct 31, 2027, 1:30 AM UTC');
		expect((screen.getByLabelText('Publish at (Europe/Berlin)') as HTMLInputElement).value).toBe('2027-10-31T02:30');

		await fireEvent.click(first);
		expect(props.value).toBe('2027-10-31T02:30');
		expect(errors()).toBe('');
	});

	it('asks for no choice outside the overlap', async () => {
		const { type } = picker();
		await type('2027-10-31T03:30');
		expect(screen.queryByRole('group')).toBeNull();
		expect(utcLine()).toContain('3:30 AM CET (Europe/Berlin) is Oct 31, 2027, 2:30 AM UTC');
	});

	it('refuses a time that has passed', async () => {
		const { type, input } = picker();
		await type('2027-01-15T12:59'); // 11:59 UTC, a minute ago
		expect(errors()).toContain('Jan 15, 2027, 12:59 PM CET (Europe/Berlin) has already passed. Choose a time in the future.');
		expect(input.getAttribute('aria-invalid')).toBe('true');
		await type('2027-01-15T13:01');
		expect(errors()).toBe('');
	});

	it('says when the zone is the user’s setting and the browser is elsewhere', () => {
		const elsewhere = browserZone() === ZONE ? 'America/New_York' : ZONE;
		picker('', elsewhere);
		expect(note()).toBe(`Times are in ${elsewhere}, your setting; this browser is in ${browserZone()}. Change it in Settings.`);
		expect(screen.getByRole('link', { name: 'Change it in Settings' }).getAttribute('href')).toBe('/settings');
	});

	it('says nothing about the browser when the zones agree', () => {
		picker('', browserZone());
		expect(note()).toBe(`Times are in ${browserZone()}, this browser’s time zone.`);
	});
});
