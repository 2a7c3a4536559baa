/**
 * The Channels screen's logic without components: how each platform connects, what a health
 * badge says, what the OAuth callback's query string means.
 */

import type { Channel, ChannelHealth } from './api';
import { platformName } from './format';

/** How an account of a platform is connected from this screen. */
export type ConnectMethod = 'oauth-instance' | 'oauth' | 'app-password';

export interface PlatformInfo {
	name: string;
	method: ConnectMethod;
}

/** The platforms this screen connects, in the order their forms are shown. */
export const CONNECTABLE: Readonly<Record<string, PlatformInfo>> = {
	mastodon: { name: 'Mastodon', method: 'oauth-instance' },
	bluesky: { name: 'Bluesky', method: 'app-password' },
	x: { name: 'X', method: 'oauth' }
};

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'muted';

/** What a channel's health badge says, and in which colour. */
export function healthBadge(health: ChannelHealth): { label: string; tone: BadgeTone } {
	switch (health) {
		case 'ok':
			return { label: 'OK', tone: 'ok' };
		case 'expiring':
			return { label: 'Expiring', tone: 'warn' };
		case 'needs_reconnect':
			return { label: 'Needs reconnect', tone: 'danger' };
		case 'not_connected':
			return { label: 'Not connected', tone: 'muted' };
	}
}

/** Whether the row offers "Reconnect" (a channel that is not healthy, or was disconnected). */
export function needsReconnect(channel: Pick<Channel, 'health'>): boolean {
	return channel.health !== 'ok';
}

/** Whether the row offers "Disconnect" (only an account that is connected). */
export function canDisconnect(channel: Pick<Channel, 'health'>): boolean {
	return channel.health !== 'not_connected';
}

/** "11,000 characters per post, this instance's own limit" (what a Mastodon instance reported) or "300 characters per post, Bluesky's limit". */
export function textLimitLabel(channel: Pick<Channel, 'platform' | 'text_limit' | 'text_limit_reported'>): string {
	const count = new Intl.NumberFormat('en').format(channel.text_limit);
	const whose =
		channel.platform === 'mastodon' && channel.text_limit_reported
			? "this instance's own limit"
			: `${platformName(channel.platform)}'s limit`;
	return `${count} characters per post, ${whose}`;
}

/** What the browser brings back from `GET /api/oauth/callback` (a redirect to `/channels?...`). */
export type ConnectOutcome =
	| { kind: 'connected'; channelId: string; workspaceId: string | null }
	| { kind: 'error'; message: string }
	| null;

export const OUTCOME_PARAMS = ['connected', 'workspace', 'error'] as const;

export function connectOutcome(params: URLSearchParams): ConnectOutcome {
	const error = params.get('error');
	if (error !== null) {
		return { kind: 'error', message: error.trim() || 'The platform did not connect the account.' };
	}
	const channelId = params.get('connected');
	if (channelId) return { kind: 'connected', channelId, workspaceId: params.get('workspace') || null };
	return null;
}

/** The URL without the callback's parameters, so a reload does not announce the outcome again. */
export function withoutOutcome(url: URL): URL {
	const clean = new URL(url);
	for (const name of OUTCOME_PARAMS) clean.searchParams.delete(name);
	return clean;
}

/** Channels by platform then handle, so the list reads the same on every visit. */
export function sortChannels<T extends Pick<Channel, 'platform' | 'handle'>>(channels: readonly T[]): T[] {
	return [...channels].sort(
		(a, b) =>
			platformName(a.platform).localeCompare(platformName(b.platform)) || a.handle.localeCompare(b.handle)
	);
}

/** Only owners connect, reconnect and disconnect channels (everyone in the workspace sees them). */
export function canManageChannels(role: string | null | undefined): boolean {
	return role === 'owner';
}
