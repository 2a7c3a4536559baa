import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	ApiError,
	client,
	createApiToken,
	CSRF_HEADER,
	getMe,
	invitationFromUrl,
	listApiTokens,
	login,
	rememberCsrfToken,
	revokeApiToken,
	signup,
	signupBody,
	signupFieldErrors,
	signupHref,
	unwrap
} from './api';
import { sentBody, sentPath, sentRequest } from './fetch-mock';

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
	return sentRequest(fetchMock).headers;
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

		const result = await unwrap(
			client.POST('/api/workspaces/{workspace_id}/campaigns', {
				params: { path: { workspace_id: 'w1' } },
				body: { name: 'Launch' }
			})
		);

		expect(result).toEqual({ id: 'c1' });
		expect(fetchMock).toHaveBeenCalledTimes(1);
		const sent = sentRequest(fetchMock);
		expect(sentPath(fetchMock)).toBe('/api/workspaces/w1/campaigns');
		expect(sent.method).toBe('POST');
		expect(sent.credentials).toBe('same-origin');
		expect(await sentBody(fetchMock)).toBe(JSON.stringify({ name: 'Launch' }));
		const headers = sentHeaders(fetchMock);
		expect(headers.get(CSRF_HEADER)).toBe('csrf-from-cookie');
		expect(headers.get('Content-Type')).toBe('application/json');
	});

	it('does not send X-CSRF-Token on GET', async () => {
		const fetchMock = stubFetch(jsonResponse({ status: 'ok', database: 'ok' }));

		const health = await unwrap(client.GET('/health'));

		expect(health).toEqual({ status: 'ok', database: 'ok' });
		const sent = sentRequest(fetchMock);
		expect(sent.method).toBe('GET');
		expect(sent.credentials).toBe('same-origin');
		expect(sent.body).toBeNull();
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

		const error = await unwrap(
			client.POST('/api/auth/signup', { body: { email: 'nope', password: 'x', name: 'A', workspace_name: 'W' } })
		).catch((e: unknown) => e);

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
		const gateway = (await unwrap(client.GET('/api/auth/me')).catch((e: unknown) => e)) as ApiError;
		expect(gateway).toBeInstanceOf(ApiError);
		expect(gateway.status).toBe(502);
		expect(gateway.detail).toMatch(/not responding/);
		expect(gateway.errors).toEqual([]);

		vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
		const offline = (await unwrap(client.GET('/health')).catch((e: unknown) => e)) as ApiError;
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
		expect(sentPath(fetchMock)).toBe('/api/auth/login');

		const next = stubFetch(new Response(null, { status: 204 }));
		await expect(unwrap(client.POST('/api/auth/logout'))).resolves.toBeUndefined();
		expect(sentHeaders(next).get(CSRF_HEADER)).toBe('csrf-from-body');
	});

	it('passes the caller\'s AbortSignal on, and lets an abort through as it is (not as a network ApiError)', async () => {
		const fetchMock = vi.fn(async (request: Request) => {
			if (request.signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
			return jsonResponse({ id: 'u1', email: 'a@example.com', name: 'Ada', workspaces: [] });
		});
		vi.stubGlobal('fetch', fetchMock);
		const controller = new AbortController();
		expect((await getMe(controller.signal)).name).toBe('Ada');

		controller.abort();
		const aborted = (await getMe(controller.signal).catch((e: unknown) => e)) as Error;
		expect(aborted).not.toBeInstanceOf(ApiError);
		expect(aborted.name).toBe('AbortError');
	});

	it('signs up, then logs in with the same email and password (sign-up logs nobody in)', async () => {
		const answers = [
			jsonResponse({ detail: 'If this email can be used, its account is ready: log in with it.' }, 202),
			jsonResponse({ user: { id: 'u1', email: 'a@example.com', name: 'Ada' }, workspaces: [], csrf_token: 'c' })
		];
		const fetchMock = vi.fn(async (..._args: FetchArgs) => answers.shift() as Response);
		vi.stubGlobal('fetch', fetchMock);

		const session = await signup({ email: 'a@example.com', password: 'correct horse', name: 'Ada', workspace_name: 'W' });

		expect(session.user.id).toBe('u1');
		expect([sentPath(fetchMock, 0), sentPath(fetchMock, 1)]).toEqual(['/api/auth/signup', '/api/auth/login']);
		expect(await sentBody(fetchMock, 1)).toBe(JSON.stringify({ email: 'a@example.com', password: 'correct horse' }));
	});
});

describe('sign-up by invitation', () => {
	const account = { email: 'bo@example.com', password: 'correct horse', name: 'Bo' };

	function problemResponse(body: Record<string, unknown>): Response {
		return jsonResponse(body, body.status as number, 'application/problem+json');
	}

	it('reads the token of an invitation link, and keeps it in the sign-up link', () => {
		expect(invitationFromUrl(new URL('http://pw.test/login?mode=signup&invitation=%20abc%2B1%20'))).toBe('abc+1');
		expect(invitationFromUrl(new URL('http://pw.test/login?mode=signup'))).toBe('');
		expect(signupHref('abc+1')).toBe('/login?mode=signup&invitation=abc%2B1');
		expect(signupHref('  ')).toBe('/login?mode=signup');
		expect(signupHref()).toBe('/login?mode=signup');
	});

	it('sends the token and leaves a blank workspace name out (the invitation brings one)', async () => {
		expect(signupBody({ ...account, workspace_name: '', invitation_token: ' tok ' })).toEqual({
			...account,
			invitation_token: 'tok'
		});
		expect(signupBody({ ...account, workspace_name: null, invitation_token: 'tok' })).toEqual({
			...account,
			invitation_token: 'tok'
		});
		// Both: the server makes your own workspace too.
		expect(signupBody({ ...account, workspace_name: 'Mine', invitation_token: 'tok' })).toEqual({
			...account,
			workspace_name: 'Mine',
			invitation_token: 'tok'
		});
		// No token: the workspace name is always sent, blank or not, and no empty token goes along.
		expect(signupBody({ ...account, workspace_name: '', invitation_token: '  ' })).toEqual({
			...account,
			workspace_name: ''
		});
		expect(signupBody({ ...account })).toEqual({ ...account, workspace_name: '' });

		const answers = [
			jsonResponse({ detail: 'If this email can be used, its account is ready: log in with it.' }, 202),
			jsonResponse({
				user: { id: 'u2', email: account.email, name: 'Bo' },
				workspaces: [{ id: 'w1', name: 'Agency', role: 'editor', requires_approval: false }],
				csrf_token: 'c'
			})
		];
		const fetchMock = vi.fn(async (..._args: FetchArgs) => answers.shift() as Response);
		vi.stubGlobal('fetch', fetchMock);
		const session = await signup({ ...account, workspace_name: null, invitation_token: 'tok' });
		expect(session.workspaces.map((w) => w.name)).toEqual(['Agency']);
		expect(JSON.parse(await sentBody(fetchMock))).toEqual({ ...account, invitation_token: 'tok' });
		expect(sentPath(fetchMock, 1)).toBe('/api/auth/login');
	});

	it('names the rule of a refused sign-up, and logs nobody in', async () => {
		const fetchMock = stubFetch(
			problemResponse({
				type: '/problems/rule-violated',
				title: 'A business rule refused this',
				status: 409,
				detail: 'sign-up on this server is by invitation: ask a workspace owner to invite your email',
				rule: 'invitation_required'
			})
		);
		const error = (await signup({ ...account, workspace_name: 'W' }).catch((e: unknown) => e)) as ApiError;
		expect(error).toBeInstanceOf(ApiError);
		expect(error.status).toBe(409);
		expect(error.rule).toBe('invitation_required');
		expect(fetchMock).toHaveBeenCalledTimes(1); // no login after a refused sign-up
		// invitation_required is about the whole form (the page shows the invitation field), not one input.
		expect(signupFieldErrors(error)).toEqual({});
		expect(new ApiError({ type: 'about:blank', title: 'Gone', status: 404 }).rule).toBeNull();
	});

	it('puts the messages about the invitation beside its field, and a wrong email beside the email', () => {
		const invalid = new ApiError({
			type: '/problems/validation',
			title: 'The request is invalid',
			status: 422,
			detail: 'invitation_token: is not a valid invitation; ask the workspace owner for a new one',
			errors: [
				{ field: 'invitation_token', message: 'is not a valid invitation; ask the workspace owner for a new one' }
			]
		});
		expect(signupFieldErrors(invalid)).toEqual({
			invitation_token: ['is not a valid invitation; ask the workspace owner for a new one']
		});

		const rule = (name: string, detail: string) =>
			new ApiError({ type: '/problems/rule-violated', title: 'Refused', status: 409, detail, rule: name });
		expect(signupFieldErrors(rule('invitation_expired', 'this invitation has expired; ask for a new one'))).toEqual({
			invitation_token: ['this invitation has expired; ask for a new one']
		});
		expect(signupFieldErrors(rule('invitation_used', 'this invitation was already accepted'))).toEqual({
			invitation_token: ['this invitation was already accepted']
		});
		expect(signupFieldErrors(rule('invitation_email', 'this invitation is for another email address'))).toEqual({
			email: ['this invitation is for another email address']
		});
		expect(signupFieldErrors(rule('sign_up_closed', 'sign-up is closed on this server'))).toEqual({});
	});
});

describe('API tokens', () => {
	const listed = {
		id: 't1',
		name: 'CI',
		prefix: 'pw_abcde',
		created_at: '2026-01-02T03:04:05Z',
		last_used_at: null,
		expires_at: '2026-02-01T03:04:05Z',
		expired: false
	};

	it('lists tokens with a GET that carries no CSRF header', async () => {
		const fetchMock = stubFetch(jsonResponse([listed]));

		const tokens = await listApiTokens();

		expect(tokens).toEqual([listed]);
		expect(sentPath(fetchMock)).toBe('/api/auth/tokens');
		expect(sentRequest(fetchMock).method).toBe('GET');
		expect(sentHeaders(fetchMock).has(CSRF_HEADER)).toBe(false);
	});

	it('creates a token with its name and expiry, sends X-CSRF-Token, and answers the secret', async () => {
		const created = { id: 't1', name: 'CI', token: 'pw_secret', expires_at: '2026-02-01T03:04:05Z' };
		const fetchMock = stubFetch(jsonResponse(created, 201));

		const result = await createApiToken({ name: 'CI', expires_in_days: 30 });

		expect(result).toEqual(created);
		expect(sentPath(fetchMock)).toBe('/api/auth/tokens');
		expect(sentRequest(fetchMock).method).toBe('POST');
		expect(await sentBody(fetchMock)).toBe(JSON.stringify({ name: 'CI', expires_in_days: 30 }));
		expect(sentHeaders(fetchMock).get(CSRF_HEADER)).toBe('csrf-from-cookie');
	});

	it('leaves the expiry out for a token that never expires', async () => {
		const fetchMock = stubFetch(jsonResponse({ id: 't2', name: 'Forever', token: 'pw_x', expires_at: null }, 201));

		const result = await createApiToken({ name: 'Forever' });

		expect(result.expires_at).toBeNull();
		expect(await sentBody(fetchMock)).toBe(JSON.stringify({ name: 'Forever' }));
	});

	it('turns a refused token into an ApiError with the field to fix', async () => {
		stubFetch(
			jsonResponse(
				{
					type: '/problems/validation',
					title: 'The request is invalid',
					status: 422,
					detail: 'expires_in_days: must be 1 to 3650 days',
					errors: [{ field: 'expires_in_days', message: 'must be 1 to 3650 days' }]
				},
				422,
				'application/problem+json'
			)
		);

		const error = (await createApiToken({ name: 'CI', expires_in_days: 0 }).catch((e: unknown) => e)) as ApiError;

		expect(error).toBeInstanceOf(ApiError);
		expect(error.status).toBe(422);
		expect(error.messageFor('expires_in_days')).toBe('must be 1 to 3650 days');
		expect(error.messageFor('name')).toBeUndefined();
	});

	it('revokes a token with a DELETE to its (encoded) id, carrying X-CSRF-Token', async () => {
		const fetchMock = stubFetch(new Response(null, { status: 204 }));

		await expect(revokeApiToken('a/b')).resolves.toBeUndefined();

		expect(sentPath(fetchMock)).toBe('/api/auth/tokens/a%2Fb');
		expect(sentRequest(fetchMock).method).toBe('DELETE');
		expect(sentRequest(fetchMock).body).toBeNull();
		expect(sentHeaders(fetchMock).get(CSRF_HEADER)).toBe('csrf-from-cookie');
	});

	it('reports revoking a token that is gone (or another user’s) as a 404 ApiError', async () => {
		stubFetch(
			jsonResponse(
				{ type: '/problems/not-found', title: 'Not found', status: 404, detail: 'No such API token' },
				404,
				'application/problem+json'
			)
		);

		const error = (await revokeApiToken('t9').catch((e: unknown) => e)) as ApiError;

		expect(error).toBeInstanceOf(ApiError);
		expect(error.status).toBe(404);
		expect(error.detail).toBe('No such API token');
	});
});
