import { afterEach, describe, expect, it, vi } from 'vitest';
import { getCaptionUsage } from './api';
import { sentPath } from './fetch-mock';

afterEach(() => vi.unstubAllGlobals());

describe('caption usage', () => {
	it('reads the workspace caption usage from its own route', async () => {
		const body = {
			requests_today: 2,
			tokens_today: 140,
			requests_this_month: 5,
			prompt_tokens_this_month: 300,
			completion_tokens_this_month: 90,
			limit_per_hour: 120,
			used_this_hour: 1,
			model: { model: 'fake', kind: 'endpoint', ready: true, base_url: 'http://x/v1', fix: null }
		};
		const fetchMock = vi.fn(
			async (_input: RequestInfo | URL, _init?: RequestInit) =>
				new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } })
		);
		vi.stubGlobal('fetch', fetchMock);
		const usage = await getCaptionUsage('ws 1');
		expect(usage.prompt_tokens_this_month).toBe(300);
		expect(sentPath(fetchMock)).toBe('/api/workspaces/ws%201/captions/usage');
	});
});
