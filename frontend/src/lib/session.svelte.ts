import type { User, WorkspaceMembership } from './api';

/**
 * - `checking`: `GET /api/auth/me` has not answered yet (app start, or a retry);
 * - `signed-in` / `signed-out`: known;
 * - `unavailable`: the check failed for another reason than 401 (server down, 5xx), so
 *   we do not know; the layout offers a retry instead of bouncing to /login.
 */
export type SessionStatus = 'checking' | 'signed-in' | 'signed-out' | 'unavailable';

/** Where the chosen workspace is remembered between visits. */
export const WORKSPACE_STORAGE_KEY = 'postwizard.currentWorkspaceId';

function storage(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null; // storage disabled (privacy settings): the choice just is not remembered
	}
}

export function loadWorkspaceChoice(): string | null {
	try {
		return storage()?.getItem(WORKSPACE_STORAGE_KEY) ?? null;
	} catch {
		return null;
	}
}

export function saveWorkspaceChoice(id: string): void {
	try {
		storage()?.setItem(WORKSPACE_STORAGE_KEY, id);
	} catch {
		// quota or disabled storage: not worth bothering the user about
	}
}

/** The remembered workspace when the user still belongs to it, else their first one. */
export function pickWorkspace(workspaces: readonly WorkspaceMembership[], preferred: string | null): string | null {
	return workspaces.find((w) => w.id === preferred)?.id ?? workspaces[0]?.id ?? null;
}

/**
 * Who is signed in, from the last `GET /api/auth/me` or auth answer. Kept in memory: the
 * session itself lives in the HttpOnly cookie, which script never sees. Only the chosen
 * workspace id is persisted (localStorage).
 */
export class Session {
	status = $state<SessionStatus>('checking');
	/** Why the last check failed, when `status` is `unavailable`. */
	problem = $state<string | null>(null);
	user = $state<User | null>(null);
	workspaces = $state<WorkspaceMembership[]>([]);
	currentWorkspaceId = $state<string | null>(null);

	readonly currentWorkspace = $derived(
		this.workspaces.find((w) => w.id === this.currentWorkspaceId) ?? this.workspaces[0] ?? null
	);

	signIn(result: { user: User; workspaces: WorkspaceMembership[] }): void {
		const { id, email, name, time_zone } = result.user;
		this.user = { id, email, name, time_zone: time_zone ?? null };
		this.workspaces = result.workspaces;
		this.currentWorkspaceId = pickWorkspace(result.workspaces, loadWorkspaceChoice());
		// Remembered even when not chosen: the next visit's first requests start with it, before /me answers.
		if (this.currentWorkspaceId) saveWorkspaceChoice(this.currentWorkspaceId);
		this.problem = null;
		this.status = 'signed-in';
	}

	signOut(): void {
		this.user = null;
		this.workspaces = [];
		this.currentWorkspaceId = null;
		this.problem = null;
		this.status = 'signed-out';
	}

	checking(): void {
		this.problem = null;
		this.status = 'checking';
	}

	unavailable(problem: string): void {
		this.problem = problem;
		this.status = 'unavailable';
	}

	/** The time zone the user chose (null: follow the browser's), as the server saved it. */
	setTimeZone(zone: string | null): void {
		if (this.user) this.user = { ...this.user, time_zone: zone };
	}

	/** Switch workspace and remember the choice; ids the user does not belong to are ignored. */
	selectWorkspace(id: string): void {
		if (!this.workspaces.some((w) => w.id === id)) return;
		this.currentWorkspaceId = id;
		saveWorkspaceChoice(id);
	}
}

export const session = new Session();
