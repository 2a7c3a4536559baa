/**
 * The calendar starts loading before the session check answers, for the workspace used last: a
 * round trip saved on every visit. The page takes these entries only when it asks for the very same
 * thing (same workspace, view, dates and filters); a refusal (signed out, no longer a member) is
 * dropped here and the page asks again itself.
 */
import { getCalendar } from '$lib/api';
import { calendarRequest, dayOf, readQuery } from '$lib/calendar';
import { userZone } from '$lib/format';
import { loadWorkspaceChoice } from '$lib/session.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ url }) => {
	const workspaceId = loadWorkspaceChoice();
	if (!workspaceId) return { early: null };
	const zone = userZone();
	const request = calendarRequest(readQuery(url.searchParams, dayOf(Date.now(), zone)), zone);
	return { early: { key: JSON.stringify([workspaceId, request]), entries: getCalendar(workspaceId, request).catch(() => null) } };
};
