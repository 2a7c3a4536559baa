import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Channel } from '$lib/api';
import type { CountingRules } from '$lib/compose-counting';
import type { Attachment } from '$lib/compose-media';
import ComposePreview from './ComposePreview.svelte';

const X_RULES: CountingRules = { counting: 'weighted', max_length: 280, url_length: 23, max_bytes: null };
const BLUESKY_RULES: CountingRules = { counting: 'graphemes', max_length: 300, url_length: null, max_bytes: 3000 };

function channel(platform: string, limit: number): Channel {
	return {
		id: `c-${platform}`,
		platform,
		handle: `ann.${platform}`,
		display_name: 'Ann Example',
		health: 'ok',
		health_reason: '',
		health_fix: '',
		token_expires_at: null,
		base_url: 'https://example.social',
		text_limit: limit,
		text_limit_reported: false,
		image_max_bytes: null,
		image_max_pixels: null
	};
}

function image(key: string, alt: string): Attachment {
	return { key, name: `${key}.png`, preview: `blob:${key}`, alt, savedAlt: alt, state: 'ready', progress: 1, ref: `media:${key}`, size: 1000, width: 1600, height: 900, animated: false, error: null };
}

describe('ComposePreview', () => {
	it('follows the text once typing pauses, so keystrokes pay only for the counters', async () => {
		vi.useFakeTimers();
		try {
			const view = render(ComposePreview, { channel: channel('x', 280), text: 'Hello #one', rules: X_RULES, images: [] });
			expect(view.container.querySelector('.hashtag')?.textContent).toBe('#one');
			await view.rerender({ text: 'Hello #one #two' });
			await vi.advanceTimersByTimeAsync(100);
			expect(view.container.querySelectorAll('.hashtag')).toHaveLength(1);
			await view.rerender({ text: 'Hello #one #two #three' });
			await vi.advanceTimersByTimeAsync(100);
			expect(view.container.querySelectorAll('.hashtag')).toHaveLength(1); // still typing: the timer restarted
			await vi.advanceTimersByTimeAsync(60);
			expect([...view.container.querySelectorAll('.hashtag')].map((h) => h.textContent)).toEqual(['#one', '#two', '#three']);
		} finally {
			vi.useRealTimers();
		}
	});

	it('shows the channel, highlights entities, shortens links on X and shows a link card without images', () => {
		const { container } = render(ComposePreview, {
			channel: channel('x', 280),
			text: 'Launch day #news with @ann https://www.example.org/a/very/long/path/to/the/page',
			rules: X_RULES,
			images: []
		});
		expect(screen.getByRole('article', { name: 'Preview on X · ann.x' })).toBeTruthy();
		expect(screen.getByText('Ann Example')).toBeTruthy();
		expect(container.querySelector('.hashtag')?.textContent).toBe('#news');
		expect(container.querySelector('.mention')?.textContent).toBe('@ann');
		const link = container.querySelector('.link');
		expect(link?.textContent).toBe('www.example.org/a/very/lo…');
		expect(link?.getAttribute('title')).toMatch(/23-character t\.co link/);
		expect(screen.getByTestId('compose-link-card').textContent).toContain('example.org');
		expect(container.querySelector('del')).toBeNull();
	});

	it('strikes through the text past the limit and says why', () => {
		const { container } = render(ComposePreview, { channel: channel('bluesky', 300), text: 'a'.repeat(310), rules: BLUESKY_RULES, images: [] });
		expect(container.querySelector('del')?.textContent).toBe('a'.repeat(10));
		expect(screen.getByText(/past Bluesky’s limit/)).toBeTruthy();
	});

	it('shows images in the platform’s grid with their alt text instead of a link card', () => {
		const images = [image('a', 'A red door'), image('b', 'A blue door'), image('c', 'A green door')];
		const { container } = render(ComposePreview, { channel: channel('x', 280), text: 'See https://example.org', rules: X_RULES, images });
		expect(container.querySelector('.grid')?.classList.contains('grid-3')).toBe(true);
		expect(screen.getAllByTestId('compose-preview-image').map((i) => i.getAttribute('alt'))).toEqual(['A red door', 'A blue door', 'A green door']);
		expect(screen.queryByTestId('compose-link-card')).toBeNull();
	});

	it('crops a single image to 16:9 on X but shows it whole on Bluesky', () => {
		const one = [image('a', 'A door')];
		const x = render(ComposePreview, { channel: channel('x', 280), text: '', rules: X_RULES, images: one });
		expect((x.container.querySelector('.grid') as HTMLElement).style.aspectRatio).toBe('16 / 9');
		x.unmount();
		const bsky = render(ComposePreview, { channel: channel('bluesky', 300), text: '', rules: BLUESKY_RULES, images: one });
		expect(bsky.container.querySelector('img.whole')).toBeTruthy();
	});
});
