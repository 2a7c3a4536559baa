import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browserZone, formatInstant } from '$lib/format';
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

/** An instant as every screen writes it (the wording itself is tested in format.test.ts), here in this runtime's locale. */
const at = (iso: string, zone = ZONE) => formatInstant(iso, zone);
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
		expect(document.getElementById('compose-schedule-hint')?.textContent).toMatch(/\. Leave empty to save a draft\.$/);
		await type('2027-12-01T09:00');
		expect(utcLine()).toBe(`${at('2027-12-01T08:00:00Z')} is ${at('2027-12-01T08:00:00Z', 'UTC')}.`);
		expect(utcLine()).toContain('CET (Europe/Berlin) is');
		expect(input.getAttribute('aria-describedby')).toContain('compose-schedule-utc');
		expect(input.getAttribute('aria-invalid')).toBeNull();
		await type('2027-07-01T09:00');
		expect(utcLine()).toBe(`${at('2027-07-01T07:00:00Z')} is ${at('2027-07-01T07:00:00Z', 'UTC')}.`);
		expect(utcLine()).toContain('CEST (Europe/Berlin) is');
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
		expect(utcLine()).toBe(`${at('2027-03-28T01:00:00Z')} is ${at('2027-03-28T01:00:00Z', 'UTC')}.`);
	});

	it('lets the user choose which 02:30 of the autumn overlap, showing the UTC instant of each', async () => {
		const { props, type } = picker();
		await type('2027-10-31T02:30');
		const group = screen.getByRole('group', { name: /02:30 happens twice in Europe\/Berlin/ });
		const [first, second] = within(group).getAllByRole('radio') as HTMLInputElement[];
		const label = (radio: HTMLInputElement) => radio.closest('label')?.textContent?.replace(/\s+/g, ' ') ?? '';
		expect(label(first)).toContain(`The first: ${at('2027-10-31T00:30:00Z')}, that is ${at('2027-10-31T00:30:00Z', 'UTC')}`);
		expect(label(second)).toContain(`The second: ${at('2027-10-31T01:30:00Z')}, that is ${at('2027-10-31T01:30:00Z', 'UTC')}`);
		expect(label(first)).toContain('CEST (Europe/Berlin)');
		expect(label(second)).toContain('CET (Europe/Berlin)');
		expect(first.checked && !second.checked).toBe(true); // the first, as the server takes a bare wall time
		expect(props.value).toBe('2027-10-31T02:30');
		expect(utcLine()).toContain(at('2027-10-31T00:30:00Z', 'UTC'));

		await fireEvent.click(second);
		expect(props.value).toBe('2027-10-31T02:30:00+01:00'); // sent with its offset, so the server takes the second
		expect(second.checked).toBe(true);
		expect(utcLine()).toBe(`${at('2027-10-31T01:30:00Z')} is ${at('2027-10-31T01:30:00Z', 'UTC')}.`);
		expect((screen.getByLabelText('Publish at (Europe/Berlin)') as HTMLInputElement).value).toBe('2027-10-31T02:30');

		await fireEvent.click(first);
		expect(props.value).toBe('2027-10-31T02:30');
		expect(errors()).toBe('');
	});

	it('asks for no choice outside the overlap', async () => {
		const { type } = picker();
		await type('2027-10-31T03:30');
		expect(screen.queryByRole('group')).toBeNull();
		expect(utcLine()).toBe(`${at('2027-10-31T02:30:00Z')} is ${at('2027-10-31T02:30:00Z', 'UTC')}.`);
	});

	it('refuses a time that has passed', async () => {
		const { type, input } = picker();
		await type('2027-01-15T12:59'); // 11:59 UTC, a minute ago
		expect(errors()).toContain(`${at('2027-01-15T11:59:00Z')} has already passed. Choose a time in the future.`);
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
