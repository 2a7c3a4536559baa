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

/** Where to send someone on `pathname`, or null to stay. Nothing moves until the check is done. */
export function redirectFor(status: SessionStatus, pathname: string): string | null {
	const isPublic = PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
	if (status === 'signed-out' && !isPublic) return LOGIN_PATH;
	if (status === 'signed-in' && isPublic) return HOME_PATH;
	return null;
}
