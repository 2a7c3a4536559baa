/**
 * The Composer's AI panel without components: reading the captions stream (Server-Sent Events:
 * `token` {platform, text}, `variants` {platform, variants}, `done` {model, usage}, `error` problem)
 * and what the panel shows per platform (the raw draft until its checked variants arrive).
 */

import type { CaptionVariant, PlatformCaptions, Problem } from './api';

export type CaptionEvent =
	| { event: 'token'; platform: string; text: string }
	| { event: 'variants'; captions: PlatformCaptions }
	| { event: 'done'; model: string }
	| { event: 'error'; problem: Problem };

/** Split SSE text into complete events; returns them and what is left over (an incomplete event). */
export function parseSse(buffer: string): { events: CaptionEvent[]; rest: string } {
	const normalized = buffer.replace(/\r\n?/g, '\n');
	const blocks = normalized.split('\n\n');
	const rest = blocks.pop() ?? '';
	const events: CaptionEvent[] = [];
	for (const block of blocks) {
		let name = 'message';
		const data: string[] = [];
		for (const line of block.split('\n')) {
			if (line.startsWith('event:')) name = line.slice(6).trim();
			else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
		}
		if (!data.length) continue;
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(data.join('\n'));
		} catch {
			continue;
		}
		if (name === 'token') events.push({ event: 'token', platform: String(body.platform), text: String(body.text ?? '') });
		else if (name === 'variants') events.push({ event: 'variants', captions: body as unknown as PlatformCaptions });
		else if (name === 'done') events.push({ event: 'done', model: String(body.model ?? '') });
		else if (name === 'error') events.push({ event: 'error', problem: body as unknown as Problem });
	}
	return { events, rest };
}

/** Read a captions stream to its end, handing each event to `onEvent`. */
export async function readCaptionEvents(stream: ReadableStream<Uint8Array>, onEvent: (e: CaptionEvent) => void): Promise<void> {
	const reader = stream.getReader();
	const decoder = new TextDecoder();
	let buffer = '';
	for (;;) {
		const { value, done } = await reader.read();
		if (done) break;
		const parsed = parseSse(buffer + decoder.decode(value, { stream: true }));
		buffer = parsed.rest;
		parsed.events.forEach(onEvent);
	}
	parseSse(buffer + '\n\n').events.forEach(onEvent);
}

/** One platform in the panel: the model's raw words so far, then its checked variants. */
export interface PlatformDraft {
	platform: string;
	draft: string;
	variants: CaptionVariant[] | null;
}

/** The panel after `event`: tokens grow the platform's draft; its variants replace it. */
export function applyCaptionEvent(drafts: readonly PlatformDraft[], event: CaptionEvent): PlatformDraft[] {
	const platform = event.event === 'token' ? event.platform : event.event === 'variants' ? event.captions.platform : null;
	if (platform === null) return [...drafts];
	const current = drafts.find((d) => d.platform === platform) ?? { platform, draft: '', variants: null };
	const next: PlatformDraft =
		event.event === 'token'
			? { ...current, draft: current.draft + event.text }
			: { ...current, variants: (event as { captions: PlatformCaptions }).captions.variants };
	return drafts.some((d) => d.platform === platform) ? drafts.map((d) => (d.platform === platform ? next : d)) : [...drafts, next];
}

/** What a variant's note says when PostWizard changed it; '' when the model's text passed as it was. */
export function variantNote(variant: CaptionVariant): string {
	const changes = variant.changes.length ? ` Changes: ${variant.changes.join('; ')}.` : '';
	if (variant.source === 'fallback') return `PostWizard cut or cleaned this caption to fit the rules.${changes}`;
	if (variant.source === 'repaired') return `The model fixed this caption after a first try broke the rules.${changes}`;
	return changes.trim();
}
