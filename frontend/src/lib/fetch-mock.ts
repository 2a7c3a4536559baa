/**
 * Test helpers: what the API client handed to a stubbed `fetch`. openapi-fetch calls
 * `fetch(request)` with one `Request` (absolute, on this page's origin).
 */
import type { Mock } from 'vitest';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FetchMock = Mock<(...args: any[]) => Promise<Response>>;

/** The `n`-th request sent through the stub. */
export function sentRequest(fetchMock: FetchMock, n = 0): Request {
	const input = fetchMock.mock.calls[n][0];
	if (!(input instanceof Request)) throw new Error(`fetch was called with ${String(input)}, not a Request`);
	return input;
}

/** Its path and query on this origin, as the server sees it: `/api/auth/tokens/a%2Fb`. */
export function sentPath(fetchMock: FetchMock, n = 0): string {
	const url = new URL(sentRequest(fetchMock, n).url);
	expectSameOrigin(url);
	return url.pathname + url.search;
}

/** Its body as text ('' when it has none). */
export function sentBody(fetchMock: FetchMock, n = 0): Promise<string> {
	return sentRequest(fetchMock, n).clone().text();
}

function expectSameOrigin(url: URL): void {
	if (url.origin !== globalThis.location.origin) throw new Error(`request left this origin: ${url.href}`);
}
