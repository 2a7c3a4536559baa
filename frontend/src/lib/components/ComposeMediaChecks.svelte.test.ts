import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { mediaChecks, mediaRulesOf, type Attachment } from '$lib/compose-media';
import ComposeMediaChecks from './ComposeMediaChecks.svelte';

const RULES = mediaRulesOf({
	platforms: { bluesky: { max_media: 4, requires_media: false, images: { max_bytes: 1_000_000, max_side: 2000, max_pixels: null, max_alt: null } } }
});

function image(alt: string, size = 1000): Attachment {
	return { key: alt || 'k', name: 'a.png', preview: 'blob:a', alt, savedAlt: alt, state: 'ready', progress: 1, ref: 'media:a', size, width: 800, height: 600, animated: false, error: null };
}

describe('ComposeMediaChecks', () => {
	it('lists what to fix and what publishing will do, from the same checks the Composer blocks on', () => {
		const checks = mediaChecks([image('A cat', 1_500_000), image('')], RULES.bluesky, 'Bluesky');
		render(ComposeMediaChecks, { checks });
		const items = screen.getAllByRole('listitem').map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
		expect(items).toEqual([
			'Note: Image 1 will be resized for Bluesky: 1.5 MB is over its 1 MB limit.',
			'Fix: Image 2 has no alt text: describe it, Bluesky reads it to people who cannot see the image.'
		]);
	});

	it('shows nothing when every image suits the channel', () => {
		const { container } = render(ComposeMediaChecks, { checks: mediaChecks([image('A cat')], RULES.bluesky, 'Bluesky') });
		expect(container.querySelector('ul')).toBeNull();
	});
});
