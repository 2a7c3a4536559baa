/** The Team page without components: roles and what they may do, invitation links, members in order. */

import type { CreatedInvitation, Member, Role, WorkspaceMembership } from './api';
import { signupHref } from './api';

export interface RoleChoice {
	value: Role;
	label: string;
	/** What someone with this role may do, in a few words. */
	can: string;
}

/**
 * What each role reads as and may do, most powerful first. Keyed by the API's generated `Role` enum, so
 * a role the API adds fails the type check here until it is described.
 */
const ROLE_WORDS: Readonly<Record<Role, { label: string; can: string }>> = {
	owner: { label: 'Owner', can: 'everything: members, roles, channels and settings' },
	editor: { label: 'Editor', can: 'write, schedule and publish posts and campaigns' },
	reviewer: { label: 'Reviewer', can: 'read everything and approve or request changes' },
	viewer: { label: 'Viewer', can: 'read everything, change nothing' }
};

/** The roles as choices, most powerful first. */
export const ROLES: readonly RoleChoice[] = (Object.keys(ROLE_WORDS) as Role[]).map((value) => ({ value, ...ROLE_WORDS[value] }));

/** "Editor". */
export function roleLabel(role: Role): string {
	return ROLE_WORDS[role].label;
}

/** Only owners invite, change roles and change the workspace's settings (the server checks too). */
export function canManageTeam(workspace: Pick<WorkspaceMembership, 'role'> | null | undefined): boolean {
	return workspace?.role === 'owner';
}

/** The sign-up link an invitee opens: `<origin>/login?mode=signup&invitation=<token>` (the form fills in the code). */
export function invitationLink(origin: string, token: string): string {
	return `${origin.replace(/\/+$/, '')}${signupHref(token)}`;
}

/** Where someone who already has an account accepts: `/invitations/accept?token=<token>`. */
export function acceptHref(token: string): string {
	const trimmed = token.trim();
	return trimmed ? `/invitations/accept?token=${encodeURIComponent(trimmed)}` : '/invitations/accept';
}

/** The token an accept link carries, trimmed; '' when it has none. */
export function tokenFromAcceptUrl(url: URL): string {
	return url.searchParams.get('token')?.trim() ?? '';
}

/** Members by role (owners first), then by name. */
export function sortMembers(members: readonly Member[]): Member[] {
	const rank = (role: Role) => ROLES.findIndex((r) => r.value === role);
	return [...members].sort(
		(a, b) => rank(a.role) - rank(b.role) || a.name.localeCompare(b.name) || a.email.localeCompare(b.email)
	);
}

/** How many owners the workspace has: the last one cannot be demoted (the server refuses with `last_owner`). */
export function ownerCount(members: readonly Member[]): number {
	return members.filter((m) => m.role === 'owner').length;
}

/** The user's workspaces with one replaced (after a rename, an approval change or a role change), or added (after joining). */
export function withWorkspace(workspaces: readonly WorkspaceMembership[], updated: WorkspaceMembership): WorkspaceMembership[] {
	return workspaces.some((w) => w.id === updated.id)
		? workspaces.map((w) => (w.id === updated.id ? updated : w))
		: [...workspaces, updated];
}

/** An invitation sent from this page: the server's answer, whom it is for, and the link to send. */
export interface SentInvitation extends CreatedInvitation {
	email: string;
	role: Role;
	link: string;
}
