import { describe, expect, it } from 'vitest';
import type { Member, Role, WorkspaceMembership } from './api';
import {
	ROLES,
	acceptHref,
	canManageTeam,
	invitationLink,
	ownerCount,
	roleLabel,
	sortMembers,
	tokenFromAcceptUrl,
	withWorkspace
} from './team';

const member = (name: string, role: Role, email = `${name.toLowerCase()}@example.com`): Member => ({
	user_id: name,
	name,
	email,
	role
});
const ws = (id: string, name = id, role: Role = 'owner', requires_approval = false): WorkspaceMembership => ({
	id,
	name,
	role,
	requires_approval
});

describe('team', () => {
	it('names every role of the API, most powerful first', () => {
		expect(roleLabel('reviewer')).toBe('Reviewer');
		expect(ROLES.map((r) => r.value)).toEqual(['owner', 'editor', 'reviewer', 'viewer']);
	});

	it('lets only owners manage the team', () => {
		expect(canManageTeam(ws('a'))).toBe(true);
		expect(canManageTeam(ws('a', 'a', 'editor'))).toBe(false);
		expect(canManageTeam(null)).toBe(false);
	});

	it('builds the invitation link the sign-up form reads, with the token encoded', () => {
		expect(invitationLink('https://pw.example/', 'abc')).toBe('https://pw.example/login?mode=signup&invitation=abc');
		expect(invitationLink('http://127.0.0.1:8000', 'a b+c')).toBe(
			'http://127.0.0.1:8000/login?mode=signup&invitation=a%20b%2Bc'
		);
	});

	it('builds and reads the accept link', () => {
		expect(acceptHref(' tok+1 ')).toBe('/invitations/accept?token=tok%2B1');
		expect(acceptHref('  ')).toBe('/invitations/accept');
		expect(tokenFromAcceptUrl(new URL(`http://x${acceptHref('tok+1')}`))).toBe('tok+1');
		expect(tokenFromAcceptUrl(new URL('http://x/invitations/accept'))).toBe('');
	});

	it('sorts members by role, then name, and counts owners', () => {
		const members = [member('Zed', 'viewer'), member('Bo', 'editor'), member('Olu', 'owner'), member('Ann', 'owner')];
		expect(sortMembers(members).map((m) => m.name)).toEqual(['Ann', 'Olu', 'Bo', 'Zed']);
		expect(ownerCount(members)).toBe(2);
	});

	it('replaces or adds a workspace', () => {
		const list = [ws('a'), ws('b')];
		expect(withWorkspace(list, ws('b', 'Renamed', 'owner', true))).toEqual([ws('a'), ws('b', 'Renamed', 'owner', true)]);
		expect(withWorkspace(list, ws('c', 'c', 'editor')).map((w) => w.id)).toEqual(['a', 'b', 'c']);
	});
});
