import { describe, expect, it, vi } from 'vitest';
import { createLiveFeed, type EventSourceLike } from './live';

class FakeSource implements EventSourceLike {
	readyState = 0;
	onopen: ((ev: Event) => unknown) | null = null;
	onerror: ((ev: Event) => unknown) | null = null;
	closed = false;
	handlers = new Map<string, (ev: MessageEvent) => void>();
	constructor(readonly url: string) {}
	addEventListener(type: string, listener: (ev: MessageEvent) => void): void {
		this.handlers.set(type, listener);
	}
	close(): void {
		this.closed = true;
		this.readyState = 2;
	}
	send(kind: string, id: number, postId: string): void {
		const data = JSON.stringify({ workspace_id: 'w', post_id: postId, channel_id: 'c' });
		this.handlers.get(kind)?.(new MessageEvent(kind, { data, lastEventId: String(id) }));
	}
}

function setup() {
	const sources: FakeSource[] = [];
	const feed = createLiveFeed((url) => {
		const s = new FakeSource(url);
		sources.push(s);
		return s;
	});
	return { sources, feed };
}

describe('the live feed', () => {
	it('opens one stream for every listener, and closes it with the last', () => {
		const { sources, feed } = setup();
		const a = vi.fn();
		const b = vi.fn();
		const stopA = feed.listen({ event: a });
		const stopB = feed.listen({ event: b });
		expect(sources).toHaveLength(1);
		sources[0].send('metrics', 7, 'p1');
		expect(a).toHaveBeenCalledWith({ id: 7, kind: 'metrics', workspace_id: 'w', post_id: 'p1', channel_id: 'c' });
		expect(b).toHaveBeenCalledTimes(1);
		stopA();
		expect(sources[0].closed).toBe(false);
		stopB();
		expect(sources[0].closed).toBe(true);
	});

	it('opens a new stream from the last id after the server refused one, and says it is back', () => {
		vi.useFakeTimers();
		try {
			const { sources, feed } = setup();
			const reconnected = vi.fn();
			feed.listen({ reconnected });
			sources[0].send('target', 41, 'p1');
			sources[0].send('metrics', 42, 'p1');
			sources[0].readyState = 2; // refused: EventSource gives up
			sources[0].onerror?.(new Event('error'));
			expect(sources).toHaveLength(1);
			vi.advanceTimersByTime(1000);
			expect(sources).toHaveLength(2);
			expect(sources[1].url).toBe('/api/events?last_event_id=42');
			sources[1].onopen?.(new Event('open'));
			expect(reconnected).toHaveBeenCalledTimes(1);
		} finally {
			vi.useRealTimers();
		}
	});

	it('leaves a dropped stream to EventSource, which reconnects by itself', () => {
		const { sources, feed } = setup();
		const reconnected = vi.fn();
		feed.listen({ reconnected });
		sources[0].readyState = 0; // CONNECTING: retrying with Last-Event-ID
		sources[0].onerror?.(new Event('error'));
		sources[0].onopen?.(new Event('open'));
		expect(sources).toHaveLength(1);
		expect(reconnected).toHaveBeenCalledTimes(1);
	});
});
