import { describe, expect, it } from 'vitest';
import { countLength, type CountingRules } from './compose-counting';
import { displayUrl, fitIndex, imageGrid, linkCardDomain, previewPieces } from './compose-preview';

const X: CountingRules = { counting: 'weighted', max_length: 280, url_length: 23, max_bytes: null };
const MASTODON: CountingRules = { counting: 'graphemes_urls_23', max_length: 500, url_length: 23, max_bytes: null };
const BLUESKY: CountingRules = { counting: 'graphemes', max_length: 300, url_length: null, max_bytes: 3000 };

describe('previewPieces', () => {
	it('highlights links, hashtags and mentions as X does, shortening the link', () => {
		const pieces = previewPieces('Hi @ann see https://example.com/a/very/long/path/indeed #launch $ACME', 'x', X, 280);
		expect(pieces.filter((p) => p.kind !== 'text').map((p) => [p.kind, p.text])).toEqual([
			['mention', '@ann'],
			['url', 'example.com/a/very/long/p…'],
			['hashtag', '#launch'],
			['cashtag', '$ACME']
		]);
		expect(pieces.find((p) => p.kind === 'url')?.href).toBe('https://example.com/a/very/long/path/indeed');
		expect(pieces.every((p) => !p.over)).toBe(true);
	});

	it('takes @user@domain as one Mastodon mention and leaves bare domains as text there', () => {
		const pieces = previewPieces('Thanks @ann@example.social, see example.com', 'mastodon', MASTODON, 500);
		expect(pieces.filter((p) => p.kind !== 'text').map((p) => p.text)).toEqual(['@ann@example.social']);
	});

	it('shows Bluesky links as written and handles as mentions', () => {
		const pieces = previewPieces('cc @ann.bsky.social https://example.com/a/very/long/path', 'bluesky', BLUESKY, 300);
		expect(pieces.filter((p) => p.kind !== 'text').map((p) => p.text)).toEqual(['@ann.bsky.social', 'https://example.com/a/very/long/path']);
	});

	it('marks the part past the limit, and the text joined back is the text', () => {
		const text = 'a'.repeat(297) + ' #tag and more';
		const pieces = previewPieces(text, 'bluesky', BLUESKY, 300);
		expect(pieces.map((p) => p.text).join('')).toBe(text);
		const fitting = pieces.filter((p) => !p.over).map((p) => p.text).join('');
		expect(fitting).toBe('a'.repeat(297) + ' ');
		expect(pieces.find((p) => p.kind === 'hashtag')?.over).toBe(true);
	});
});

describe('fitIndex', () => {
	it('is the longest prefix the platform counts within the limit', () => {
		const text = 'https://example.com/ ' + 'b'.repeat(300);
		const cut = fitIndex(text, X, 280);
		expect(countLength(X, text.slice(0, cut))).toBeLessThanOrEqual(280);
		expect(countLength(X, text.slice(0, cut + 1))).toBeGreaterThan(280);
		expect(fitIndex('short', X, 280)).toBe(5);
	});

	it('finds the same cut as trying every prefix', () => {
		const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
		const naive = (text: string, rules: CountingRules, limit: number) => {
			let best = 0;
			for (const s of seg.segment(text)) {
				const end = s.index + s.segment.length;
				const prefix = text.slice(0, end);
				if (countLength(rules, prefix) <= limit && (rules.max_bytes == null || new TextEncoder().encode(prefix).length <= rules.max_bytes)) best = end;
				else break;
			}
			return best;
		};
		const texts = [
			('Sale #spring @ann https://example.com/x 😀 ').repeat(30),
			'日本語のテキスト👩‍👩‍👧 '.repeat(40),
			'https://example.com/' + 'a'.repeat(400) + ' tail '.repeat(80),
			'é'.repeat(700)
		];
		for (const text of texts)
			for (const [rules, limit] of [[X, 280], [MASTODON, 500], [BLUESKY, 300], [MASTODON, 37]] as const)
				expect(fitIndex(text, rules, limit), `${rules.counting} ${limit} ${text.slice(0, 20)}`).toBe(naive(text, rules, limit));
	});

	it('never splits an emoji and keeps to the byte cap', () => {
		const text = '👩‍👩‍👧'.repeat(5);
		expect(fitIndex(text, BLUESKY, 2)).toBe('👩‍👩‍👧'.length * 2);
		expect(fitIndex('é'.repeat(10), { ...BLUESKY, max_bytes: 5 }, 300)).toBe(2);
	});
});

describe('links and images', () => {
	it('shortens links per platform', () => {
		expect(displayUrl('https://example.com/' + 'x'.repeat(40), 'mastodon')).toBe('example.com/' + 'x'.repeat(18) + '…');
		expect(displayUrl('https://example.com/a', 'bluesky')).toBe('https://example.com/a');
	});

	it('names the first link’s domain for the card, without fetching it', () => {
		expect(linkCardDomain('Read https://www.example.org/post and https://other.net', 'x')).toBe('example.org');
		expect(linkCardDomain('no links', 'x')).toBe('');
	});

	it('crops one image to 16:9 on X and Mastodon, whole on Bluesky, grids for more', () => {
		expect(imageGrid('x', 1)).toEqual({ layout: 'single', crop: '16 / 9' });
		expect(imageGrid('mastodon', 1).crop).toBe('16 / 9');
		expect(imageGrid('bluesky', 1)).toEqual({ layout: 'single', crop: null });
		expect(imageGrid('x', 3).layout).toBe('grid-3');
		expect(imageGrid('x', 0).layout).toBe('none');
	});
});
