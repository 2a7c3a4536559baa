import { describe, expect, it } from 'vitest';
import { altChanged, altRequired, formatBytes, mediaChecks, mediaRulesOf, moved, pickProblem, type Attachment } from './compose-media';

const RULES = mediaRulesOf({
	platforms: {
		bluesky: { max_media: 4, requires_media: false, images: { max_bytes: 1_000_000, max_side: 2000, max_pixels: null, max_alt: null } },
		x: { max_media: 4, requires_media: false, images: { max_bytes: 5_000_000, max_side: null, max_pixels: null, max_alt: 1000 } },
		instagram: { max_media: 10, requires_media: true, images: null },
		broken: 'nope'
	}
});

function image(overrides: Partial<Attachment> = {}): Attachment {
	return {
		key: 'k',
		name: 'a.png',
		preview: 'blob:x',
		alt: 'a cat',
		savedAlt: 'a cat',
		state: 'ready',
		progress: 1,
		ref: 'media:1',
		size: 200_000,
		width: 800,
		height: 600,
		animated: false,
		error: null,
		...overrides
	};
}

describe('mediaRulesOf', () => {
	it('reads the exported media rules and leaves out what it does not understand', () => {
		expect(Object.keys(RULES).sort()).toEqual(['bluesky', 'instagram', 'x']);
		expect(RULES.bluesky.images?.max_bytes).toBe(1_000_000);
		expect(RULES.instagram).toEqual({ max_media: 10, requires_media: true, images: null });
		expect(mediaRulesOf(null)).toEqual({});
	});
});

describe('mediaChecks', () => {
	it('passes images that fit and are described', () => {
		expect(mediaChecks([image(), image()], RULES.bluesky, 'Bluesky')).toEqual([]);
	});

	it('refuses more images than the platform takes, saying how many to remove', () => {
		const checks = mediaChecks(Array.from({ length: 6 }, () => image()), RULES.x, 'X');
		expect(checks).toEqual([{ level: 'error', message: '6 images, but X takes at most 4: remove 2.' }]);
	});

	it('notes that a still image over the limit will be resized, and refuses an animated one', () => {
		const big = image({ size: 1_400_000, width: 3000, height: 2000 });
		const [note] = mediaChecks([big], RULES.bluesky, 'Bluesky');
		expect(note.level).toBe('note');
		expect(note.message).toBe('Image 1 will be resized for Bluesky: 1.4 MB is over its 1 MB and 3000 px is over its 2000 px a side limit.');
		expect(mediaChecks([big], RULES.x, 'X')).toEqual([]);
		const [refusal] = mediaChecks([image({ size: 1_400_000, animated: true })], RULES.bluesky, 'Bluesky');
		expect(refusal.level).toBe('error');
		expect(refusal.message).toMatch(/animated .* upload a smaller one/);
	});

	it('uses the limits the channel’s server reported instead of the platform’s defaults', () => {
		const mastodon = mediaRulesOf({
			platforms: { mastodon: { max_media: 4, requires_media: false, images: { max_bytes: 16_777_216, max_side: null, max_pixels: 33_177_600, max_alt: 1500 } } }
		}).mastodon;
		expect(mediaChecks([image({ size: 400_000 })], mastodon, 'Mastodon')).toEqual([]);
		expect(mediaChecks([image({ size: 400_000 })], mastodon, 'Mastodon', { image_max_bytes: 300_000, image_max_pixels: null })).toEqual([
			{ level: 'note', message: 'Image 1 will be resized for Mastodon: 400 KB is over its 300 KB limit.' }
		]);
	});

	it('asks for alt text where the platform carries it, and notes where it will be cut', () => {
		expect(mediaChecks([image(), image({ alt: '  ' })], RULES.x, 'X')).toEqual([
			{ level: 'error', message: 'Image 2 has no alt text: describe it, X reads it to people who cannot see the image.' }
		]);
		expect(mediaChecks([image({ alt: 'x'.repeat(1001) })], RULES.x, 'X')[0]).toEqual({
			level: 'note',
			message: "X keeps the first 1000 characters of image 1's alt text."
		});
		expect(mediaChecks([image({ alt: '' })], RULES.instagram, 'Instagram')).toEqual([]);
	});

	it('skips images still uploading and platforms without rules; asks for an image where one is required', () => {
		expect(mediaChecks([image({ state: 'uploading', alt: '' })], RULES.bluesky, 'Bluesky')).toEqual([]);
		expect(mediaChecks([], undefined, 'Threads')).toEqual([]);
		expect(mediaChecks([], RULES.instagram, 'Instagram')).toEqual([{ level: 'error', message: 'Instagram needs at least one image: add one.' }]);
	});

	it('requires alt text only when a chosen platform carries it', () => {
		expect(altRequired([RULES.instagram])).toBe(false);
		expect(altRequired([RULES.instagram, RULES.x])).toBe(true);
	});
});

describe('helpers', () => {
	it('formats bytes in decimal units', () => {
		expect([formatBytes(999), formatBytes(950_000), formatBytes(1_000_000), formatBytes(1_450_000), formatBytes(16_777_216)]).toEqual([
			'999 bytes',
			'950 KB',
			'1 MB',
			'1.4 MB',
			'17 MB'
		]);
	});

	it('moves an item earlier or later, never out of the list', () => {
		expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
		expect(moved(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
		expect(moved(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
	});

	it('finds the uploaded images whose alt text is not saved yet', () => {
		const list = [image({ key: 'a' }), image({ key: 'b', alt: 'a dog ' }), image({ key: 'c', alt: 'x', state: 'uploading', ref: null })];
		expect(altChanged(list).map((i) => i.key)).toEqual(['b']);
	});

	it('sends only image types', () => {
		expect(pickProblem({ name: 'a.png', type: 'image/png' })).toBe('');
		expect(pickProblem({ name: 'cv.pdf', type: 'application/pdf' })).toBe('cv.pdf is not a PNG, JPEG, GIF or WebP image; pick one of those.');
	});
});
