import { describe, expect, it } from 'vitest';
import { applyCaptionEvent, parseSse, readCaptionEvents, variantNote } from './compose-captions';

const variant = { platform: 'bluesky', text: 'Hi', length: 2, limit: 300, source: 'model', changes: [] as string[] };

describe('parseSse', () => {
	it('reads complete events and keeps the incomplete rest', () => {
		const text =
			'event: token\r\ndata: {"platform":"x","text":"Hel"}\r\n\r\n' +
			'event: variants\ndata: {"platform":"x","variants":[]}\n\n' +
			'event: done\ndata: {"mod';
		const { events, rest } = parseSse(text);
		expect(events).toEqual([
			{ event: 'token', platform: 'x', text: 'Hel' },
			{ event: 'variants', captions: { platform: 'x', variants: [] } }
		]);
		expect(rest).toBe('event: done\ndata: {"mod');
	});

	it('reads an error as a problem', () => {
		const { events } = parseSse('event: error\ndata: {"title":"Model down","status":502,"type":"t","detail":"retry"}\n\n');
		expect(events).toEqual([{ event: 'error', problem: { title: 'Model down', status: 502, type: 't', detail: 'retry' } }]);
	});
});

describe('readCaptionEvents', () => {
	it('joins events split across chunks', async () => {
		const chunks = ['event: token\ndata: {"platform":"x",', '"text":"A"}\n\nevent: done\ndata: {"model":"m"}\n\n'];
		const stream = new ReadableStream<Uint8Array>({
			start(controller) {
				for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
				controller.close();
			}
		});
		const seen: unknown[] = [];
		await readCaptionEvents(stream, (e) => seen.push(e));
		expect(seen).toEqual([
			{ event: 'token', platform: 'x', text: 'A' },
			{ event: 'done', model: 'm' }
		]);
	});
});

describe('applyCaptionEvent and variantNote', () => {
	it('grows a draft from tokens, then shows the checked variants', () => {
		let drafts = applyCaptionEvent([], { event: 'token', platform: 'bluesky', text: 'Fresh ' });
		drafts = applyCaptionEvent(drafts, { event: 'token', platform: 'bluesky', text: 'bread' });
		drafts = applyCaptionEvent(drafts, { event: 'token', platform: 'x', text: 'Hi' });
		expect(drafts).toEqual([
			{ platform: 'bluesky', draft: 'Fresh bread', variants: null },
			{ platform: 'x', draft: 'Hi', variants: null }
		]);
		drafts = applyCaptionEvent(drafts, { event: 'variants', captions: { platform: 'bluesky', variants: [variant] } });
		expect(drafts[0]).toEqual({ platform: 'bluesky', draft: 'Fresh bread', variants: [variant] });
		expect(applyCaptionEvent(drafts, { event: 'done', model: 'm' })).toEqual(drafts);
	});

	it('says when PostWizard changed a caption', () => {
		expect(variantNote(variant)).toBe('');
		expect(variantNote({ ...variant, source: 'fallback', changes: ['cut to 300 characters'] })).toBe(
			'PostWizard cut or cleaned this caption to fit the rules. Changes: cut to 300 characters.'
		);
		expect(variantNote({ ...variant, changes: ['removed a hashtag'] })).toBe('Changes: removed a hashtag.');
	});
});
