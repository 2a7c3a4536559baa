import { describe, expect, it } from 'vitest';
import table from './compose-counting-cases.json';
import { countFor, countGraphemes, countLength, countingRulesOf, overMessage, type Counting } from './compose-counting';

describe('countLength agrees with the backend on the shared table', () => {
	for (const c of table.cases) {
		it(`${c.platform} (${c.counting}): ${c.name}`, () => {
			expect(countLength({ counting: c.counting as Counting, url_length: c.url_length }, c.text)).toBe(c.length);
		});
	}
});

describe('countingRulesOf', () => {
	it('reads the rules the API sends and skips what it does not understand', () => {
		const rules = countingRulesOf({
			version: 1,
			platforms: {
				bluesky: { counting: 'graphemes', max_length: 300, url_length: null, max_bytes: 3000 },
				x: { counting: 'weighted', max_length: 280, url_length: 23 },
				odd: { counting: 'runes', max_length: 10 }
			}
		});
		expect(rules).toEqual({
			bluesky: { counting: 'graphemes', max_length: 300, url_length: null, max_bytes: 3000 },
			x: { counting: 'weighted', max_length: 280, url_length: 23, max_bytes: null }
		});
		expect(countingRulesOf(null)).toEqual({});
	});
});

describe('countFor and overMessage', () => {
	const bluesky = { counting: 'graphemes' as const, max_length: 300, url_length: null, max_bytes: 3000 };

	it('uses the channel limit, not the platform default', () => {
		const count = countFor('a'.repeat(120), bluesky, 100);
		expect(count).toMatchObject({ length: 120, limit: 100, over: 20, bytesOver: 0 });
		expect(overMessage(count, 'Bluesky @me', 'variant')).toBe(
			'Bluesky @me: 120 of 100 characters in the variant; shorten it by 20.'
		);
	});

	it('says nothing when the text fits', () => {
		const count = countFor('hello', bluesky, 300);
		expect(count.over).toBe(0);
		expect(overMessage(count, 'Bluesky', 'base text')).toBe('');
	});

	it('flags the byte cap too', () => {
		const count = countFor('日'.repeat(1001), bluesky, 2000);
		expect(count).toMatchObject({ over: 0, bytes: 3003, bytesOver: 3 });
		expect(overMessage(count, 'Bluesky', 'base text')).toContain('shorten it by 3 bytes');
	});

	it('counts an unknown platform as characters', () => {
		expect(countFor('héllo', null, 3)).toMatchObject({ length: 5, over: 2 });
	});
});

describe('countGraphemes', () => {
	it('counts as Intl.Segmenter does, on ASCII, CR LF, combining marks, emoji sequences and flags mixed at random', () => {
		const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
		const parts = ['a', ' ', '\r', '\n', '\r\n', 'e\u0301', '\u0301', '👍🏽', '🇫🇷', '👨‍👩‍👧', 'é', '\u200d', '\t', 'ก\u0e33', '\u0600a'];
		let seed = 7;
		const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
		for (let i = 0; i < 2000; i++) {
			const text = Array.from({ length: next() % 12 }, () => parts[next() % parts.length]).join('');
			expect(countGraphemes(text), JSON.stringify(text)).toBe([...segmenter.segment(text)].length);
		}
	});
});
