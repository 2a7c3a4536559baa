import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, CSRF_HEADER, login, rememberCsrfToken } from './api';

type FetchArgs = [input: RequestInfo | URL, init?: RequestInit];

function jsonResponse(body: unknown, status = 200, contentType = 'application/json'): Response {
	return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': contentType } });
}

function stubFetch(response: Response) {
	const fetchMock = vi.fn(async (..._args: FetchArgs) => response);
	vi.stubGlobal('fetch', fetchMock);
	return fetchMock;
}

function sentHeaders(fetchMock: ReturnType<typeof stubFetch>): Headers {
	return new Headers(fetchMock.mock.calls[0][1]?.headers);
}

beforeEach(() => {
	document.cookie = 'pw_csrf=csrf-from-cookie; path=/';
});

afterEach(() => {
	document.cookie = 'pw_csrf=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT';
	rememberCsrfToken(null);
});

describe('api client', () => {
	it('sends the pw_csrf cookie as X-CSRF-Token on POST, with a JSON body and same-origin credentials', async () => {
		const fetchMock = stubFetch(jsonResponse({ id: 'c1' }, 201));

		const result = await api.post<{ id: string }>('/api/campaigns', { name: 'Launch' });

		expect(result).toEqual({ id: 'c1' });
		expect(fetchMock).toHaveBeenCalledTimes(1);
		const [url, init] = fetchMock.mock.calls[0];
		expect(url).toBe('/api/campaigns');
		expect(init?.method).toBe('POST');
		expect(init?.credentials).toBe('same-origin');
		expect(init?.body).toBe(JSON.stringify({ name: 'Launch' }));
		const headers = sentHeaders(fetchMock);
		expect(headers.get(CSRF_HEADER)).toBe('csrf-from-cookie');
		expect(headers.get('Content-Type')).toBe('application/json');
	});

	it('does not send X-CSRF-Token on GET', async () => {
		const fetchMock = stubFetch(jsonResponse({ status: 'ok', database: 'ok' }));

		const health = await api.get('/health');

		expect(health).toEqual({ status: 'ok', database: 'ok' });
		const [, init] = fetchMock.mock.calls[0];
		expect(init?.method).toBe('GET');
		expect(init?.credentials).toBe('same-origin');
		expect(init?.body).toBeUndefined();
		expect(sentHeaders(fetchMock).has(CSRF_HEADER)).toBe(false);
	});

	it('turns a problem+json answer into an ApiError with per-field errors', async () => {
		stubFetch(
			jsonResponse(
				{
					type: 'https://postwizard.dev/problems/validation',
					title: 'Invalid request',
					status: 422,
					detail: 'Some fields need fixing.',
					errors: [
						{ field: 'email', message: 'Enter a valid email address.' },
						{ field: 'body.password', message: 'Use at least 12 characters.' },
						{ field: '#/password', message: 'Avoid common passwords.' }
					]
				},
				422,
				'application/problem+json'
			)
		);

		const error = await api
			.post('/api/auth/signup', { email: 'nope', password: 'x', name: 'A', workspace_name: 'W' })
			.catch((e: unknown) => e);

		expect(error).toBeInstanceOf(ApiError);
		const apiError = error as ApiError;
		expect(apiError.status).toBe(422);
		expect(apiError.type).toBe('https://postwizard.dev/problems/validation');
		expect(apiError.title).toBe('Invalid request');
		expect(apiError.detail).toBe('Some fields need fixing.');
		expect(apiError.message).toBe('Some fields need fixing.');
		expect(apiError.errors).toHaveLength(3);
		expect(apiError.fieldErrors).toEqual({
			email: ['Enter a valid email address.'],
			password: ['Use at least 12 characters.', 'Avoid common passwords.']
		});
		expect(apiError.messageFor('password')).toBe('Use at least 12 characters. Avoid common passwords.');
		expect(apiError.messageFor('name')).toBeUndefined();
	});

	it('reports a non-JSON gateway error and an unreachable server as ApiError, and login remembers its token', async () => {
		stubFetch(new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
		const gateway = (await api.get('/api/campaigns').catch((e: unknown) => e)) as ApiError;
		expect(gateway).toBeInstanceOf(ApiError);
		expect(gateway.status).toBe(502);
		expect(gateway.detail).toMatch(/not responding/);
		expect(gateway.errors).toEqual([]);

		vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
		const offline = (await api.get('/health').catch((e: unknown) => e)) as ApiError;
		expect(offline).toBeInstanceOf(ApiError);
		expect(offline.status).toBe(0);
		expect(offline.detail).toMatch(/Could not reach/);

		// Without a readable cookie, the token from the login answer is used.
		document.cookie = 'pw_csrf=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT';
		const fetchMock = stubFetch(
			jsonResponse({
				user: { id: 'u1', email: 'a@example.com', name: 'Ada' },
				workspaces: [{ id: 'w1', name: 'Acme', role: 'owner' }],
				csrf_token: 'csrf-from-body'
			})
		);
		const session = await login({ email: 'a@example.com', password: 'correct horse' });
		expect(session.user.name).toBe('Ada');
		expect(fetchMock.mock.calls[0][0]).toBe('/api/auth/login');

		const next = stubFetch(new Response(null, { status: 204 }));
		await expect(api.delete('/api/posts/p1')).resolves.toBeUndefined();
		expect(sentHeaders(next).get(CSRF_HEADER)).toBe('csrf-from-body');
	});
});
