/**
 * Live changes from the server (`GET /api/events`, Server-Sent Events): ONE EventSource per tab,
 * shared by every part of the page that listens, open while at least one does.
 *
 * The server sends `metrics` (a target's numbers changed) and `target` (its publishing state
 * changed) for the workspaces the user belongs to. EventSource reconnects by itself after a dropped
 * stream and sends the last id it got (Last-Event-ID), so missed changes arrive first. When the
 * server refuses a reconnection (the database away: 503; a session that ended: 401) EventSource
 * stops for good; then a new one is opened with backoff (1 s doubling to 30 s), resuming from the
 * last id by query. Each time the stream is back after a break, listeners hear `reconnected`, to
 * reload what they show in case something was missed beyond what the server still keeps.
 */

export type LiveKind = 'metrics' | 'target';

export interface LiveEvent {
	id: number;
	kind: LiveKind;
	workspace_id: string;
	post_id: string;
	channel_id: string;
}

export interface LiveListener {
	event?(event: LiveEvent): void;
	reconnected?(): void;
}

/** The bits of EventSource used here (a fake in tests). */
export interface EventSourceLike {
	readonly readyState: number;
	onopen: ((ev: Event) => unknown) | null;
	onerror: ((ev: Event) => unknown) | null;
	addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
	close(): void;
}

export const EVENTS_URL = '/api/events';
const KINDS: readonly LiveKind[] = ['metrics', 'target'];
const CLOSED = 2;

export function createLiveFeed(
	open: (url: string) => EventSourceLike,
	timers: { set: typeof setTimeout; clear: typeof clearTimeout } = { set: setTimeout, clear: clearTimeout },
	backoff: readonly [number, number] = [1000, 30_000]
) {
	const listeners = new Set<LiveListener>();
	let source: EventSourceLike | null = null;
	let retry: ReturnType<typeof setTimeout> | null = null;
	let delay = backoff[0];
	let lastId: number | null = null;
	let broken = false;

	function connect(): void {
		const url = lastId === null ? EVENTS_URL : `${EVENTS_URL}?last_event_id=${lastId}`;
		const current = open(url);
		source = current;
		current.onopen = () => {
			delay = backoff[0];
			if (broken) for (const l of [...listeners]) l.reconnected?.();
			broken = false;
		};
		current.onerror = () => {
			broken = true;
			if (current.readyState !== CLOSED || source !== current) return; // EventSource retries by itself
			current.close();
			source = null;
			retry = timers.set(() => {
				retry = null;
				if (listeners.size) connect();
			}, delay);
			delay = Math.min(delay * 2, backoff[1]);
		};
		for (const kind of KINDS) {
			current.addEventListener(kind, (message) => {
				let event: LiveEvent;
				try {
					event = { ...JSON.parse(message.data), id: Number(message.lastEventId), kind };
				} catch {
					return;
				}
				if (Number.isFinite(event.id)) lastId = Math.max(lastId ?? 0, event.id);
				for (const l of [...listeners]) l.event?.(event);
			});
		}
	}

	function disconnect(): void {
		if (retry !== null) timers.clear(retry);
		retry = null;
		source?.close();
		source = null;
		broken = false;
	}

	return {
		/** Listen until the returned function is called; the stream opens with the first listener. */
		listen(listener: LiveListener): () => void {
			listeners.add(listener);
			if (!source && retry === null) connect();
			return () => {
				listeners.delete(listener);
				if (!listeners.size) disconnect();
			};
		}
	};
}

/** The tab's feed; no stream outside a browser (prerendering, unit tests of pages). */
export const live = createLiveFeed((url) =>
	typeof EventSource === 'undefined' ? inert() : new EventSource(url, { withCredentials: true })
);

function inert(): EventSourceLike {
	return { readyState: 0, onopen: null, onerror: null, addEventListener() {}, close() {} };
}

/** Listen to the changes of one post: `change(kind)` for each of its events, and after a reconnection. */
export function listenToPost(postId: string, change: (kind: LiveKind | 'reconnected') => void): () => void {
	return live.listen({
		event: (e) => {
			if (e.post_id === postId) change(e.kind);
		},
		reconnected: () => change('reconnected')
	});
}
