import type { AuthResponse, User, WorkspaceMembership } from './api';

/**
 * Who is signed in, as the last auth response said. Kept in memory only: the session
 * itself lives in the HttpOnly cookie, which script never sees.
 */
class Session {
	user = $state<User | null>(null);
	workspaces = $state<WorkspaceMembership[]>([]);
	currentWorkspaceId = $state<string | null>(null);

	readonly currentWorkspace = $derived(
		this.workspaces.find((w) => w.id === this.currentWorkspaceId) ?? this.workspaces[0] ?? null
	);

	signIn(result: AuthResponse): void {
		this.user = result.user;
		this.workspaces = result.workspaces;
		this.currentWorkspaceId = result.workspaces[0]?.id ?? null;
	}

	signOut(): void {
		this.user = null;
		this.workspaces = [];
		this.currentWorkspaceId = null;
	}
}

export const session = new Session();
