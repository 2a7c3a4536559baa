/**
 * The Composer's per-platform previews: a text cut into the pieces a platform renders (plain text,
 * links, #hashtags, @mentions), how it shows links, which part is past the channel's limit (measured
 * with the counters' own `countLength`), the image grid it crops to, and the link card's domain.
 *
 * How each platform shows a post (the one each preview copies):
 * - X: links, hashtags, @mentions and $cashtags as twitter-text finds them; every link goes out as a
 *   23-character t.co link, shown as its address without the scheme, cut at 25 characters with "…".
 * - Mastodon: only http(s) links; shown without the scheme, cut at 30 characters with "…";
 *   `@user@domain` is one mention.
 * - Bluesky: links as written (nothing shortens them, so they count in full); mentions are handles
 *   (`@name.bsky.social`).
 * - Others: the text as written, links highlighted.
 * Images: X and Mastodon crop a single image to 16:9 (Mastodon around its centre, the default focal
 * point); Bluesky shows a single image whole at its own ratio; two to four share a grid of crops.
 * A link card is shown only when the post has no images (the platforms show one or the other).
 */

import twitter from 'twitter-text';
import { countLength, countUtf8Bytes, type CountingRules } from './compose-counting';

export type PieceKind = 'text' | 'url' | 'hashtag' | 'mention' | 'cashtag';

export interface Piece {
	kind: PieceKind;
	/** What the platform shows. */
	text: string;
	/** The link's target (urls only). */
	href?: string;
	/** Past the channel's limit: the platform would refuse the post. */
	over: boolean;
}

interface Entity {
	start: number;
	end: number;
	kind: Exclude<PieceKind, 'text'>;
}

const HANDLE_MENTION = /(?<![\w@/])@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)/giu;
const MASTODON_MENTION = /(?<![=/\p{L}\p{N}_])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@[\p{L}\p{N}.-]+[\p{L}\p{N}])?/giu;

function entitiesFor(text: string, platform: string): Entity[] {
	const protocolOnly = platform !== 'x';
	const out: Entity[] = twitter
		.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: !protocolOnly })
		.map((u) => ({ start: u.indices[0], end: u.indices[1], kind: 'url' as const }));
	for (const h of twitter.extractHashtagsWithIndices(text)) out.push({ start: h.indices[0], end: h.indices[1], kind: 'hashtag' });
	if (platform === 'x') {
		for (const m of twitter.extractMentionsWithIndices(text)) out.push({ start: m.indices[0], end: m.indices[1], kind: 'mention' });
		for (const c of twitter.extractCashtagsWithIndices(text)) out.push({ start: c.indices[0], end: c.indices[1], kind: 'cashtag' });
	} else {
		const re = platform === 'bluesky' ? HANDLE_MENTION : MASTODON_MENTION;
		for (const m of text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'mention' });
	}
	out.sort((a, b) => a.start - b.start || b.end - a.end);
	const kept: Entity[] = [];
	for (const e of out) if (!kept.length || e.start >= kept[kept.length - 1].end) kept.push(e); // overlaps: the first wins
	return kept;
}

/** A link as the platform shows it (see the module's rules). */
export function displayUrl(url: string, platform: string): string {
	if (platform === 'bluesky') return url;
	const bare = url.replace(/^https?:\/\//i, '');
	const max = platform === 'x' ? 25 : platform === 'mastodon' ? 30 : Infinity;
	return bare.length > max ? `${bare.slice(0, max)}…` : bare;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Where the text stops fitting: the UTF-16 index after the longest prefix (whole grapheme clusters)
 * whose length and bytes are within `limit` and the platform's byte cap; the text's length when it fits
 * (`fitsWhole`: the caller's counter already knows). It runs per keystroke, so it counts prefixes of
 * about the limit's size (`limit`, 2×`limit`, … code units, then halving between the last two) and
 * finds cluster boundaries only where it looks, never segmenting the whole text.
 */
export function fitIndex(text: string, rules: CountingRules | null | undefined, limit: number, fitsWhole?: boolean): number {
	/** How far over `end`'s prefix is (<= 0: it fits): characters past the limit, or bytes past the cap. */
	const excess = (end: number) => {
		const prefix = text.slice(0, end);
		const length = rules ? countLength(rules, prefix) : [...prefix].length;
		const bytes = rules?.max_bytes == null ? -Infinity : countUtf8Bytes(prefix) - rules.max_bytes;
		return Math.max(length - limit, bytes);
	};
	if (fitsWhole ?? excess(text.length) <= 0) return text.length;
	const segments = segmenter.segment(text);
	const boundaryAt = (i: number) => segments.containing(i)?.index ?? text.length; // the cluster start at or before i
	const after = (i: number) => {
		const s = segments.containing(i);
		return s ? s.index + s.segment.length : text.length;
	};
	let lo = 0; // a boundary that fits, `loExcess` (<= 0) over
	let loExcess = -limit;
	let hi = text.length; // a boundary that does not, `hiExcess` (> 0) over
	let hiExcess = Infinity;
	for (let step = Math.max(1, limit); step < hi; step *= 2) {
		const b = boundaryAt(step);
		if (b <= lo) continue;
		const e = excess(b);
		if (e > 0) {
			[hi, hiExcess] = [b, e];
			break;
		}
		[lo, loExcess] = [b, e];
	}
	// Counts grow about linearly with the prefix, so guess where the limit falls between lo and hi;
	// every other step halves instead, so a count that is not linear still ends in few steps.
	for (let interpolate = true; ; interpolate = !interpolate) {
		const guess =
			interpolate && Number.isFinite(hiExcess)
				? lo + Math.round(((hi - lo) * -loExcess) / (hiExcess - loExcess))
				: (lo + hi) >> 1;
		let mid = boundaryAt(Math.min(hi - 1, Math.max(lo + 1, guess)));
		if (mid <= lo) mid = after(lo);
		if (mid >= hi) return lo;
		const e = excess(mid);
		if (e <= 0) [lo, loExcess] = [mid, e];
		else [hi, hiExcess] = [mid, e];
	}
}

/** The text as `platform` renders it, marked past `limit` (counted with the counters' rules; `fitsWhole` as for `fitIndex`). */
export function previewPieces(
	text: string,
	platform: string,
	rules: CountingRules | null | undefined,
	limit: number,
	fitsWhole?: boolean
): Piece[] {
	const cut = fitIndex(text, rules, limit, fitsWhole);
	const pieces: Piece[] = [];
	const plain = (from: number, to: number) => {
		if (from < cut && to > cut) {
			pieces.push({ kind: 'text', text: text.slice(from, cut), over: false });
			pieces.push({ kind: 'text', text: text.slice(cut, to), over: true });
		} else if (to > from) pieces.push({ kind: 'text', text: text.slice(from, to), over: from >= cut });
	};
	let position = 0;
	for (const e of entitiesFor(text, platform)) {
		plain(position, e.start);
		const raw = text.slice(e.start, e.end);
		const over = e.end > cut;
		if (e.kind === 'url') {
			const href = /^https?:\/\//i.test(raw) ? raw : `https://${raw}`;
			pieces.push({ kind: 'url', text: displayUrl(raw, platform), href, over });
		} else pieces.push({ kind: e.kind, text: raw, over });
		position = e.end;
	}
	plain(position, text.length);
	return pieces;
}

/** The domain of the post's first link, for the link card placeholder ('' when it has none). Never fetched. */
export function linkCardDomain(text: string, platform: string): string {
	const first = entitiesFor(text, platform).find((e) => e.kind === 'url');
	if (!first) return '';
	const raw = text.slice(first.start, first.end);
	try {
		return new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`).hostname.replace(/^www\./, '');
	} catch {
		return '';
	}
}

/** How a platform lays out `count` images: a single image cropped to 16:9 or shown whole, or a grid of crops. */
export interface ImageGrid {
	layout: 'none' | 'single' | 'grid-2' | 'grid-3' | 'grid-4';
	/** For a single image: the CSS aspect-ratio it is cropped to; null when it is shown whole. */
	crop: string | null;
}

export function imageGrid(platform: string, count: number): ImageGrid {
	if (count <= 0) return { layout: 'none', crop: null };
	if (count === 1) return { layout: 'single', crop: platform === 'bluesky' ? null : '16 / 9' };
	return { layout: count === 2 ? 'grid-2' : count === 3 ? 'grid-3' : 'grid-4', crop: null };
}
