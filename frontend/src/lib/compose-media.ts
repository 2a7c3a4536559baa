/**
 * The Composer's images: each platform's media rules from `GET /api/platforms/rules` (how many
 * images, the image size publishing fits to, how much alt text it keeps) and the checks each
 * channel shows beside its counter before the post is scheduled.
 *
 * Rules the checks follow (they mirror the publish path, `application/publishing/publish_target.py`):
 * - more images than the platform's `max_media` is refused: remove some;
 * - a still image over the platform's byte or size limit is resized and re-encoded at publish, so
 *   it is only noted; an animated one is sent unchanged, so over the limit it would be refused;
 * - every image needs alt text on platforms that carry it (those with image rules): it is what
 *   people using screen readers hear; alt text past the platform's `max_alt` is cut there.
 */

/** What publishing fits an image to on one platform, and the alt text it keeps (null: no limit known). */
export interface ImageRules {
	max_bytes: number;
	max_side: number | null;
	max_pixels: number | null;
	max_alt: number | null;
}

/** One platform's media rules. `images` is null where PostWizard has no publishing adapter for images. */
export interface MediaRules {
	max_media: number | null;
	requires_media: boolean;
	images: ImageRules | null;
}

/** An image in the Composer, from picked to uploaded. */
export interface Attachment {
	/** Stable key for the list (the upload's ref is not known until it is uploaded). */
	key: string;
	name: string;
	/** A `blob:` URL of the picked file, for its thumbnail. */
	preview: string;
	alt: string;
	/** The alt text the server has for it (sent at upload, or since); the Composer saves a changed one. */
	savedAlt: string;
	state: 'uploading' | 'ready' | 'failed';
	/** Upload progress, 0..1. */
	progress: number;
	ref: string | null;
	size: number;
	width: number;
	height: number;
	animated: boolean;
	/** Why the upload was refused, as the server said it. */
	error: string | null;
}

/** The media rules per platform from the rules export (read field by field; anything not understood is left out). */
export function mediaRulesOf(body: unknown): Record<string, MediaRules> {
	const platforms = (body as { platforms?: unknown } | null)?.platforms;
	const out: Record<string, MediaRules> = {};
	if (!platforms || typeof platforms !== 'object') return out;
	for (const [platform, raw] of Object.entries(platforms as Record<string, Record<string, unknown>>)) {
		if (!raw || typeof raw !== 'object') continue;
		const images = raw.images as Record<string, unknown> | null | undefined;
		const num = (v: unknown) => (typeof v === 'number' ? v : null);
		out[platform] = {
			max_media: num(raw.max_media),
			requires_media: raw.requires_media === true,
			images:
				images && typeof images === 'object' && typeof images.max_bytes === 'number'
					? { max_bytes: images.max_bytes, max_side: num(images.max_side), max_pixels: num(images.max_pixels), max_alt: num(images.max_alt) }
					: null
		};
	}
	return out;
}

/** Bytes in words: "950 KB", "1.4 MB" (decimal units, as the platforms state their limits). */
export function formatBytes(bytes: number): string {
	if (bytes < 1000) return `${bytes} bytes`;
	if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} KB`;
	return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0).replace(/\.0$/, '')} MB`;
}

/** One check's result: an `error` blocks scheduling; a `note` says what will happen. */
export interface MediaCheck {
	level: 'error' | 'note';
	message: string;
}

function overLimits(image: Attachment, limits: ImageRules): string | null {
	const reasons: string[] = [];
	if (image.size > limits.max_bytes) reasons.push(`${formatBytes(image.size)} is over its ${formatBytes(limits.max_bytes)}`);
	if (limits.max_side !== null && Math.max(image.width, image.height) > limits.max_side)
		reasons.push(`${Math.max(image.width, image.height)} px is over its ${limits.max_side} px a side`);
	if (limits.max_pixels !== null && image.width * image.height > limits.max_pixels)
		reasons.push(`${image.width}×${image.height} is over its ${(limits.max_pixels / 1_000_000).toFixed(1)} megapixels`);
	return reasons.length ? reasons.join(' and ') : null;
}

/** What a channel's server reported for images (a Mastodon instance's own limits); null: the platform's default. */
export interface ReportedImageLimits {
	image_max_bytes?: number | null;
	image_max_pixels?: number | null;
}

/**
 * The checks for one channel: `name` is the platform's name ("Bluesky"); `rules` null means the
 * platform's rules are unknown (nothing is checked); `reported` replaces the default limits, as
 * publishing does. Images still uploading or refused are the Composer's own concern, not a
 * platform's, so only uploaded ones are checked.
 */
export function mediaChecks(
	images: readonly Attachment[],
	rules: MediaRules | null | undefined,
	name: string,
	reported: ReportedImageLimits = {}
): MediaCheck[] {
	if (!rules) return [];
	const checks: MediaCheck[] = [];
	const count = images.length;
	if (rules.max_media !== null && count > rules.max_media)
		checks.push({
			level: 'error',
			message: `${count} images, but ${name} takes at most ${rules.max_media}: remove ${count - rules.max_media}.`
		});
	if (rules.requires_media && count === 0)
		checks.push({ level: 'error', message: `${name} needs at least one image: add one.` });
	const limits = rules.images && {
		...rules.images,
		max_bytes: reported.image_max_bytes ?? rules.images.max_bytes,
		max_pixels: reported.image_max_pixels ?? rules.images.max_pixels
	};
	if (!limits) return checks;
	images.forEach((image, i) => {
		if (image.state !== 'ready') return;
		const n = i + 1;
		const over = overLimits(image, limits);
		if (over && image.animated)
			checks.push({
				level: 'error',
				message: `Image ${n} is animated and ${over} limit; animated images are sent unchanged, so upload a smaller one.`
			});
		else if (over) checks.push({ level: 'note', message: `Image ${n} will be resized for ${name}: ${over} limit.` });
		const alt = image.alt.trim();
		if (!alt)
			checks.push({
				level: 'error',
				message: `Image ${n} has no alt text: describe it, ${name} reads it to people who cannot see the image.`
			});
		else if (limits.max_alt !== null && [...alt].length > limits.max_alt)
			checks.push({
				level: 'note',
				message: `${name} keeps the first ${limits.max_alt} characters of image ${n}'s alt text.`
			});
	});
	return checks;
}

/** Whether any chosen platform carries alt text (then every image needs some). */
export function altRequired(rules: readonly (MediaRules | null | undefined)[]): boolean {
	return rules.some((r) => r?.images);
}

/** Move the item at `from` by `by` places (-1: earlier, +1: later); out of range leaves the list as it is. */
export function moved<T>(items: readonly T[], from: number, by: number): T[] {
	const to = from + by;
	if (from < 0 || from >= items.length || to < 0 || to >= items.length) return [...items];
	const next = [...items];
	const [item] = next.splice(from, 1);
	next.splice(to, 0, item);
	return next;
}

/** Uploaded images whose alt text changed since it was saved (the Composer saves them before the post). */
export function altChanged(images: readonly Attachment[]): Attachment[] {
	return images.filter((i) => i.state === 'ready' && i.ref && i.alt.trim() !== i.savedAlt);
}

/** Image types the server decodes; anything else is refused before it is sent. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** Why a picked (or dropped) file is not sent at all ('' when it is): only images are; the server judges size and content. */
export function pickProblem(file: Pick<File, 'name' | 'type'>): string {
	if (!(IMAGE_TYPES as readonly string[]).includes(file.type))
		return `${file.name} is not a PNG, JPEG, GIF or WebP image; pick one of those.`;
	return '';
}
