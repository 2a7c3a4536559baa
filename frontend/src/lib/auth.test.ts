import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CSRF_HEADER, rememberCsrfToken, type Me } from './api';
import { logOut, redirectFor, restoreSession } from './auth';
import { sentPath, sentRequest } from './fetch-mock';
import { Session, WORKSPACE_STORAGE_KEY } from './session.svelte';

type FetchArgs = [input: RequestInfo | URL, init?: RequestInit];

const problem401 = {
	type: 'about:blank',
	title: 'Unauthorized',
	status: 401,
	detail: 'Log in first.'
};

const me: Me = {
	id: 'u1',
	email: 'ada@example.com',
	name: 'Ada',
	time_zone: 'Europe/Berlin',
	workspaces: [
		{ id: 'w1', name: 'Acme', role: 'owner', requires_approval: false },
		{ id: 'w2', name: 'Globex', role: 'editor', requires_approval: true }
	]
};

function json(body: unknown, status = 200, contentType = 'application/json'): Response {
	return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': contentType } });
}

function stubFetch(...responses: Response[]) {
	const fetchMock = vi.fn(async (..._args: FetchArgs) => {
		const next = responses.shift();
		if (!next) throw new Error('unexpected request');
		return next;
	});
	vi.stubGlobal('fetch', fetchMock);
	return fetchMock;
}

function signedIn(): Session {
	const session = new Session();
	session.signIn({ user: { id: me.id, email: me.email, name: me.name, time_zone: null }, workspaces: me.workspaces });
	return session;
}

beforeEach(() => {
	localStorage.clear();
	document.cookie = 'pw_csrf=csrf-from-cookie; path=/';
});

afterEach(() => {
	document.cookie = 'pw_csrf=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT';
	rememberCsrfToken(null);
});

describe('restoreSession', () => {
	it('signs in from GET /api/auth/me with the user and all their workspaces', async () => {
		const fetchMock = stubFetch(json(me));
		const session = new Session();
		expect(session.status).toBe('checking');

		await restoreSession(session);

		const sent = sentRequest(fetchMock);
		expect(sentPath(fetchMock)).toBe('/api/auth/me');
		expect(sent.method).toBe('GET');
		expect(sent.credentials).toBe('same-origin');
		expect(session.status).toBe('signed-in');
		expect(session.user).toEqual({ id: 'u1', email: 'ada@example.com', name: 'Ada', time_zone: 'Europe/Berlin' }); // the zone the user chose
		expect(session.workspaces.map((w) => w.id)).toEqual(['w1', 'w2']);
		expect(session.currentWorkspaceId).toBe('w1');
		expect(session.currentWorkspace?.name).toBe('Acme');
	});

	it('comes back to the workspace chosen last time, if the user still belongs to it', async () => {
		localStorage.setItem(WORKSPACE_STORAGE_KEY, 'w2');
		stubFetch(json(me));
		const session = new Session();

		await restoreSession(session);

		expect(session.currentWorkspaceId).toBe('w2');

		localStorage.setItem(WORKSPACE_STORAGE_KEY, 'gone');
		stubFetch(json(me));
		await restoreSession(session);
		expect(session.currentWorkspaceId).toBe('w1');
	});

	it('treats 401 problem+json as signed out', async () => {
		stubFetch(json(problem401, 401, 'application/problem+json'));
		const session = signedIn();

		await restoreSession(session);

		expect(session.status).toBe('signed-out');
		expect(session.user).toBeNull();
		expect(session.workspaces).toEqual([]);
		expect(session.currentWorkspaceId).toBeNull();
	});

	it('reports other failures as unavailable instead of signing out', async () => {
		stubFetch(new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
		const session = new Session();

		await restoreSession(session);

		expect(session.status).toBe('unavailable');
		expect(session.problem).toMatch(/not responding/);
	});
});

describe('workspace switcher state', () => {
	it('remembers the chosen workspace and ignores ids the user does not belong to', () => {
		const session = signedIn();

		session.selectWorkspace('w2');
		expect(session.currentWorkspace?.name).toBe('Globex');
		expect(localStorage.getItem(WORKSPACE_STORAGE_KEY)).toBe('w2');

		session.selectWorkspace('someone-elses');
		expect(session.currentWorkspaceId).toBe('w2');
		expect(localStorage.getItem(WORKSPACE_STORAGE_KEY)).toBe('w2');
	});
});

describe('logOut', () => {
	it('POSTs /api/auth/logout with the CSRF header, then clears the session', async () => {
		const fetchMock = stubFetch(new Response(null, { status: 204 }));
		const session = signedIn();

		await logOut(session);

		expect(fetchMock).toHaveBeenCalledTimes(1);
		const sent = sentRequest(fetchMock);
		expect(sentPath(fetchMock)).toBe('/api/auth/logout');
		expect(sent.method).toBe('POST');
		expect(sent.credentials).toBe('same-origin');
		expect(sent.headers.get(CSRF_HEADER)).toBe('csrf-from-cookie');
		expect(session.status).toBe('signed-out');
		expect(session.user).toBeNull();
		expect(session.workspaces).toEqual([]);
		expect(session.currentWorkspaceId).toBeNull();
	});

	it('clears the session when the server says it had already ended (401)', async () => {
		stubFetch(json(problem401, 401, 'application/problem+json'));
		const session = signedIn();

		await logOut(session);

		expect(session.status).toBe('signed-out');
	});

	it('keeps the session and rethrows when the server could not log out', async () => {
		vi.stubGlobal(
			'fetch',
			vi.fn(async () => {
				throw new TypeError('Failed to fetch');
			})
		);
		const session = signedIn();

		await expect(logOut(session)).rejects.toMatchObject({ name: 'ApiError', status: 0 });
		expect(session.status).toBe('signed-in');
		expect(session.user?.name).toBe('Ada');
	});
});

describe('redirectFor', () => {
	it('waits for the check, sends signed-out users to /login and signed-in users away from it', () => {
		expect(redirectFor('checking', '/calendar')).toBeNull();
		expect(redirectFor('unavailable', '/calendar')).toBeNull();
		expect(redirectFor('signed-out', '/calendar')).toBe('/login');
		expect(redirectFor('signed-out', '/')).toBe('/login');
		expect(redirectFor('signed-out', '/login')).toBeNull();
		expect(redirectFor('signed-in', '/login')).toBe('/calendar');
		expect(redirectFor('signed-in', '/campaigns')).toBeNull();
	});
});
