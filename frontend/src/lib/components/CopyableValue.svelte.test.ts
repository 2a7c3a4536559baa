import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import CopyableValue from './CopyableValue.svelte';

describe('CopyableValue', () => {
	afterEach(() => vi.unstubAllGlobals());

	it('copies its value with the Clipboard API and says so', async () => {
		const writeText = vi.fn().mockResolvedValue(undefined);
		vi.stubGlobal('navigator', { clipboard: { writeText } });
		vi.stubGlobal('isSecureContext', true);
		render(CopyableValue, { id: 'link', label: 'Invitation link', value: 'https://pw.example/x', copyLabel: 'Copy link', copied: 'Link copied.' });
		expect((screen.getByLabelText('Invitation link') as HTMLInputElement).readOnly).toBe(true);
		await fireEvent.click(screen.getByRole('button', { name: 'Copy link' }));
		expect(writeText).toHaveBeenCalledWith('https://pw.example/x');
		expect(await screen.findByText('Link copied.')).toHaveProperty('role', 'status');
	});

	it('selects the value and says to press Ctrl+C when it cannot copy', async () => {
		vi.stubGlobal('navigator', {});
		vi.stubGlobal('isSecureContext', false);
		document.execCommand = vi.fn().mockReturnValue(false);
		render(CopyableValue, { id: 'secret', label: 'Token secret', value: 'pw_secret', noun: 'token' });
		await fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
		expect(await screen.findByText(/the token is selected, press Ctrl\+C/)).toBeTruthy();
		const input = screen.getByLabelText('Token secret') as HTMLInputElement;
		expect(document.activeElement).toBe(input);
		expect(input.selectionEnd! - input.selectionStart!).toBe('pw_secret'.length);
	});
});
