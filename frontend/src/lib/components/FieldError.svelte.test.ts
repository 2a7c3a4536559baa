import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import FieldError from './FieldError.svelte';

describe('FieldError', () => {
	it('shows every message of the field under its id', () => {
		render(FieldError, { id: 'name-error', messages: ['Name is required.', 'Use at most 200 characters.'] });
		const text = screen.getByText('Name is required. Use at most 200 characters.');
		expect(text.id).toBe('name-error');
	});

	it('renders nothing without messages', () => {
		const { container } = render(FieldError, { id: 'name-error', messages: [] });
		expect(container.querySelector('.field-error')).toBeNull();
	});
});
