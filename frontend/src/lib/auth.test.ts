import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CSRF_HEADER, rememberCsrfToken, type Me } from './api';
import { loginHref, logOut, redirectFor, restoreSession, safeNext } from './auth';
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
	const at = (path: string) => new URL(path, 'http://localhost:8000');

	it('waits for the check, sends signed-out users to /login and signed-in users away from it', () => {
		expect(redirectFor('checking', at('/calendar'))).toBeNull();
		expect(redirectFor('unavailable', at('/calendar'))).toBeNull();
		expect(redirectFor('signed-out', at('/'))).toBe('/login');
		expect(redirectFor('signed-out', at('/login'))).toBeNull();
		expect(redirectFor('signed-out', at('/login?next=%2Fteam'))).toBeNull();
		expect(redirectFor('signed-in', at('/login'))).toBe('/calendar');
		expect(redirectFor('signed-in', at('/campaigns'))).toBeNull();
	});

	it('remembers the page a signed-out visitor opened, query included, and goes there once signed in', () => {
		const login = redirectFor('signed-out', at('/calendar?view=week&date=2026-03-29'));
		expect(login).toBe('/login?next=%2Fcalendar%3Fview%3Dweek%26date%3D2026-03-29');
		expect(redirectFor('signed-in', at(login!))).toBe('/calendar?view=week&date=2026-03-29');
		expect(redirectFor('signed-in', at('/login?mode=signup&next=%2Fposts%2Fabc'))).toBe('/posts/abc');
	});

	it('goes home instead of to a next that leaves the app', () => {
		for (const next of ['//evil.com', 'https://evil.com/', '/\\evil.com', '\\\\evil.com', 'javascript:alert(1)', '/login']) {
			expect(redirectFor('signed-in', at(`/login?next=${encodeURIComponent(next)}`)), next).toBe('/calendar');
		}
	});
});

describe('safeNext', () => {
	it('keeps absolute paths of this app with their query and fragment', () => {
		expect(safeNext('/calendar')).toBe('/calendar');
		expect(safeNext('/calendar?view=week&channel=a')).toBe('/calendar?view=week&channel=a');
		expect(safeNext('/posts/123#history')).toBe('/posts/123#history');
		expect(safeNext('/team/../queue')).toBe('/queue');
	});

	it.each([
		['empty', ''],
		['missing', null],
		['relative', 'calendar'],
		['protocol-relative', '//evil.com/calendar'],
		['absolute URL', 'https://evil.com/calendar'],
		['same scheme, other host', 'http:evil.com'],
		['script', 'javascript:alert(1)'],
		['backslash read as a slash', '/\\evil.com'],
		['backslashes', '\\\\evil.com'],
		['tab dropped by the parser', '/\t/evil.com'],
		['newline dropped by the parser', '/\n/evil.com'],
		['the login page itself', '/login?next=/calendar'],
		['a login sub-path', '/login/anything']
	])('refuses %s', (_, value) => {
		expect(safeNext(value)).toBeNull();
	});
});

describe('loginHref', () => {
	it('names where to come back to, except the home page and unsafe targets', () => {
		expect(loginHref('/queue?status=failed')).toBe('/login?next=%2Fqueue%3Fstatus%3Dfailed');
		expect(loginHref('/queue', '/login?mode=signup')).toBe('/login?mode=signup&next=%2Fqueue');
		expect(loginHref('/')).toBe('/login');
		expect(loginHref(null)).toBe('/login');
		expect(loginHref('//evil.com')).toBe('/login');
	});
});
