import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Attachment } from '$lib/compose-media';
import ComposeMedia from './ComposeMedia.svelte';

function image(key: string, alt: string, state: Attachment['state'] = 'ready'): Attachment {
	return { key, name: `${key}.png`, preview: `blob:${key}`, alt, savedAlt: alt, state, progress: 0.4, ref: state === 'ready' ? `media:${key}` : null, size: 1000, width: 10, height: 10, animated: false, error: state === 'failed' ? `Could not upload ${key}.png: not a PNG.` : null };
}

const base = { workspaceId: 'w1', altRequired: true, altPlatforms: 'Mastodon and Bluesky' };

describe('ComposeMedia', () => {
	it('asks for alt text where a chosen platform reads it, and marks a missing one after a scheduling attempt', () => {
		render(ComposeMedia, { ...base, images: [image('a', 'A cat'), image('b', '')], showMissing: true });
		expect(screen.getByText(/Mastodon and Bluesky read it/)).toBeTruthy();
		const second = screen.getByLabelText(/Alt text for image 2/);
		expect(screen.getByText('Alt text for image 1', { exact: false }).textContent).toContain('(required)');
		expect(second.getAttribute('aria-invalid')).toBe('true');
		expect(document.getElementById(second.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/Describe this image/);
		expect(screen.getByLabelText(/Alt text for image 1/).getAttribute('aria-invalid')).toBeNull();
	});

	it('shows upload progress and a refused upload with what to do', () => {
		render(ComposeMedia, { ...base, images: [image('a', '', 'uploading'), image('b', '', 'failed')] });
		expect(screen.getByText('Uploading… 40 %')).toBeTruthy();
		expect(screen.getByRole('alert').textContent).toBe('Could not upload b.png: not a PNG.');
	});

	it('moves and removes images', async () => {
		const { container } = render(ComposeMedia, { ...base, images: [image('a', 'first'), image('b', 'second')] });
		const names = () => Array.from(container.querySelectorAll('.name')).map((n) => n.textContent?.trim());
		expect(names()).toEqual(['Image 1 a.png', 'Image 2 b.png']);
		await fireEvent.click(screen.getByRole('button', { name: /^Later ?\(image 1\)$/ }));
		expect(names()).toEqual(['Image 1 b.png', 'Image 2 a.png']);
		await fireEvent.click(screen.getByRole('button', { name: /^Remove ?image 1$/ }));
		expect(names()).toEqual(['Image 1 a.png']);
	});

	it('names a dropped file that is not an image and leaves it out', async () => {
		const { component } = render(ComposeMedia, { ...base, images: [] });
		component.add([new File(['%PDF'], 'cv.pdf', { type: 'application/pdf' })]);
		expect((await screen.findByRole('alert')).textContent).toContain('cv.pdf is not a PNG, JPEG, GIF or WebP image');
		expect(screen.queryAllByTestId('compose-image')).toHaveLength(0);
	});
});
