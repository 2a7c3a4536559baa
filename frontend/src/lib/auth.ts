/**
 * Session lifecycle, kept out of components so it can be tested with a stubbed `fetch`:
 * restore on app start, log out, and where a route should send the user.
 */
import { ApiError, getMe, logout } from './api';
import type { Session, SessionStatus } from './session.svelte';

/** Routes a signed-out visitor may see. */
export const PUBLIC_PATHS: readonly string[] = ['/login'];
export const LOGIN_PATH = '/login';
export const HOME_PATH = '/calendar';

/**
 * Ask the server who the session cookie belongs to. 200 signs in, 401 signs out; any
 * other failure leaves the session `unavailable` with the reason (we cannot tell).
 */
export async function restoreSession(session: Session, signal?: AbortSignal): Promise<void> {
	session.checking();
	try {
		const { workspaces, ...user } = await getMe(signal);
		session.signIn({ user, workspaces });
	} catch (err) {
		if (signal?.aborted) return;
		if (err instanceof ApiError && err.status === 401) {
			session.signOut();
		} else {
			session.unavailable(err instanceof Error ? err.message : String(err));
		}
	}
}

/**
 * End the session on the server, then forget it here. A 401 means it had already ended,
 * which is what we wanted. Any other failure is rethrown and the session kept: the cookie
 * may still be valid, and pretending otherwise would leave a shared computer logged in.
 */
export async function logOut(session: Session): Promise<void> {
	try {
		await logout();
	} catch (err) {
		if (!(err instanceof ApiError && err.status === 401)) throw err;
	}
	session.signOut();
}

/** The query parameter of /login that names where to go once logged in: `/login?next=/calendar%3Fview%3Dweek`. */
export const NEXT_PARAM = 'next';

/** An origin no real page has, to resolve a candidate path against and see whether it stays on it. */
const PROBE_ORIGIN = 'https://postwizard.invalid';

function isPublicPath(pathname: string): boolean {
	return PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/**
 * `value` as a path of this app to go to after logging in, or null when it is not one (an open
 * redirect would let a link to our login page send people to any site). Only an absolute path on
 * this origin is kept: `/x`, never `//host`, `https:…`, `javascript:…`, backslashes (browsers read
 * `/\host` as `//host`) or control characters (the URL parser drops tabs and newlines, so `/\t/host`
 * would become `//host`). The login page itself is refused too: it would send the user back to it.
 */
export function safeNext(value: string | null | undefined): string | null {
	if (!value || !value.startsWith('/') || value.startsWith('//')) return null;
	if (/[\\\u0000-\u001f\u007f]/.test(value)) return null;
	let url: URL;
	try {
		url = new URL(value, PROBE_ORIGIN);
	} catch {
		return null;
	}
	if (url.origin !== PROBE_ORIGIN || isPublicPath(url.pathname)) return null;
	return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page, remembering `next` when it is a page worth coming back to (not the home page). */
export function loginHref(next: string | null | undefined, base = LOGIN_PATH): string {
	const target = safeNext(next);
	if (!target || target === '/') return base;
	return `${base}${base.includes('?') ? '&' : '?'}${NEXT_PARAM}=${encodeURIComponent(target)}`;
}

/** Where someone on `url` is sent, or null to stay. Nothing moves until the check is done. A signed-out
 * visitor goes to /login with the page they wanted as `next`; once signed in they go there (or home). */
export function redirectFor(status: SessionStatus, url: Pick<URL, 'pathname' | 'search' | 'searchParams'>): string | null {
	const isPublic = isPublicPath(url.pathname);
	if (status === 'signed-out' && !isPublic) return loginHref(`${url.pathname}${url.search}`);
	if (status === 'signed-in' && isPublic) return safeNext(url.searchParams.get(NEXT_PARAM)) ?? HOME_PATH;
	return null;
}
