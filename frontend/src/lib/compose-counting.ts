/**
 * The Composer's live counters: a text's length as each platform counts it, with the rules the
 * backend exports (`GET /api/platforms/rules`) and each channel's own `text_limit`. The counting
 * mirrors `src/domain/shared/platforms/counting.py` exactly; `compose-counting-cases.json` is the
 * table of cases both implementations are tested against.
 *
 * - weighted (X): twitter-text v3 (`parseTweet(...).weightedLength`: NFC, weights 1/2, URLs 23).
 * - graphemes (Bluesky): extended grapheme clusters, URLs as written; plus a UTF-8 byte cap.
 * - graphemes_urls_23 (Mastodon): http(s) URLs count `url_length`, `@user@domain` counts as
 *   `@user`, then grapheme clusters; blank text counts 0.
 * - chars_emoji_bytes (Threads): code points, but a cluster holding an emoji counts its UTF-8 bytes.
 * - chars (Facebook, Instagram, LinkedIn): code points.
 */

import twitter from 'twitter-text';

export type Counting = 'weighted' | 'graphemes' | 'graphemes_urls_23' | 'chars_emoji_bytes' | 'chars';

/** The part of one platform's rules the counters use. */
export interface CountingRules {
	counting: Counting;
	max_length: number;
	url_length: number | null;
	max_bytes: number | null;
}

const COUNTINGS: readonly Counting[] = ['weighted', 'graphemes', 'graphemes_urls_23', 'chars_emoji_bytes', 'chars'];

/**
 * The counting rules per platform from `GET /api/platforms/rules` (untyped in the OpenAPI: read
 * field by field; a platform whose entry is not understood is left out and counted as characters).
 */
export function countingRulesOf(body: unknown): Record<string, CountingRules> {
	const platforms = (body as { platforms?: unknown } | null)?.platforms;
	const out: Record<string, CountingRules> = {};
	if (!platforms || typeof platforms !== 'object') return out;
	for (const [platform, raw] of Object.entries(platforms as Record<string, Record<string, unknown>>)) {
		if (!raw || typeof raw !== 'object') continue;
		const counting = raw.counting as Counting;
		if (!COUNTINGS.includes(counting) || typeof raw.max_length !== 'number') continue;
		out[platform] = {
			counting,
			max_length: raw.max_length,
			url_length: typeof raw.url_length === 'number' ? raw.url_length : null,
			max_bytes: typeof raw.max_bytes === 'number' ? raw.max_bytes : null
		};
	}
	return out;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(text: string): string[] {
	return Array.from(segmenter.segment(text), (s) => s.segment);
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Grapheme clusters (UAX #29). An ASCII character is a cluster of its own (CR LF is one), so only
 * the text from just before its first other character is segmented: a long English text is counted
 * at every keystroke without walking Intl.Segmenter over all of it.
 */
export function countGraphemes(text: string): number {
	const first = text.search(NON_ASCII);
	// The ASCII character before a combining mark joins its cluster; a CR LF pair is not split.
	let split = first < 0 ? text.length : Math.max(0, first - 1);
	if (split > 0 && text[split - 1] === '\r' && text[split] === '\n') split -= 1;
	const head = text.slice(0, split);
	let n = head.length - (head.match(/\r\n/g)?.length ?? 0);
	for (const _ of segmenter.segment(text.slice(split))) n++;
	return n;
}

export function countCodePoints(text: string): number {
	let n = 0;
	for (const _ of text) n++;
	return n;
}

export function countUtf8Bytes(text: string): number {
	return new TextEncoder().encode(text).length;
}

export function countWeighted(text: string): number {
	return twitter.parseTweet(text).weightedLength;
}

// Python's `regex` \w (Unicode letters, marks, digits, connector punctuation, joiners).
const W = String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u200c\u200d`;
// Mastodon's Account::MENTION_RE (the username is group 1; the domain part is dropped).
const REMOTE_MENTION = new RegExp(
	String.raw`(?<![=/${W}])@([a-z0-9_]+(?:[a-z0-9_.\-]+[a-z0-9_]+)?)@[${W}.\-]+[${W}]`,
	'giu'
);

export function countMastodon(text: string, urlLength = 23): number {
	if (!text.trim()) return 0;
	const entities: [number, number, string][] = twitter
		.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })
		.map((u) => [u.indices[0], u.indices[1], 'x'.repeat(urlLength)]);
	for (const m of text.matchAll(REMOTE_MENTION)) entities.push([m.index, m.index + m[0].length, '@' + m[1]]);
	entities.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let out = '';
	let position = 0;
	for (const [start, end, replacement] of entities) {
		if (start < position) continue; // overlapping entity: the earlier one wins, as in Mastodon
		out += text.slice(position, start) + replacement;
		position = end;
	}
	return countGraphemes(out + text.slice(position));
}

const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]/u;

export function countThreads(text: string): number {
	let total = 0;
	for (const cluster of graphemes(text)) total += EMOJI.test(cluster) ? countUtf8Bytes(cluster) : countCodePoints(cluster);
	return total;
}

/** The length of `text` as a platform with `rules` counts it against its limit. */
export function countLength(rules: Pick<CountingRules, 'counting' | 'url_length'>, text: string): number {
	switch (rules.counting) {
		case 'weighted':
			return countWeighted(text);
		case 'graphemes':
			return countGraphemes(text);
		case 'graphemes_urls_23':
			return countMastodon(text, rules.url_length ?? 23);
		case 'chars_emoji_bytes':
			return countThreads(text);
		case 'chars':
			return countCodePoints(text);
	}
}

/** One channel's counter: how long its text is, its limit, and whether (and by how much) it is over. */
export interface Count {
	length: number;
	limit: number;
	/** Characters to remove; 0 when it fits. */
	over: number;
	/** UTF-8 bytes over the platform's byte cap (Bluesky); 0 when it fits or there is none. */
	bytesOver: number;
	bytes: number;
	maxBytes: number | null;
}

/** Count `text` for a channel on a platform with `rules` (null: unknown, counted as characters) and the channel's own `limit`. */
export function countFor(text: string, rules: CountingRules | null | undefined, limit: number): Count {
	const length = rules ? countLength(rules, text) : countCodePoints(text);
	const maxBytes = rules?.max_bytes ?? null;
	const bytes = maxBytes === null ? 0 : countUtf8Bytes(text);
	return {
		length,
		limit,
		over: Math.max(0, length - limit),
		bytesOver: maxBytes === null ? 0 : Math.max(0, bytes - maxBytes),
		bytes,
		maxBytes
	};
}

/** What is wrong with a count, in words ("Bluesky (variant): 12 characters over the 300 limit; shorten it by 12."); '' when it fits. */
export function overMessage(count: Count, channel: string, where: 'base text' | 'variant'): string {
	const parts: string[] = [];
	if (count.over > 0)
		parts.push(`${count.length} of ${count.limit} characters in the ${where}; shorten it by ${count.over}`);
	if (count.bytesOver > 0)
		parts.push(`${count.bytes} of ${count.maxBytes} bytes in the ${where}; shorten it by ${count.bytesOver} bytes`);
	return parts.length ? `${channel}: ${parts.join('; ')}.` : '';
}
