import { describe, expect, it, vi } from 'vitest';
import { connectWithAppPassword, disconnectChannel, listChannels, startChannelConnect, type Channel } from './api';
import {
	canDisconnect,
	canManageChannels,
	connectOutcome,
	healthBadge,
	needsReconnect,
	sortChannels,
	textLimitLabel,
	withoutOutcome
} from './channels';
import { sentBody, sentPath, sentRequest } from './fetch-mock';

function channel(overrides: Partial<Channel> = {}): Channel {
	return {
		id: 'c1',
		platform: 'mastodon',
		handle: 'sandbox@sandbox.social',
		display_name: 'Sandbox',
		health: 'ok',
		health_reason: '',
		health_fix: '',
		token_expires_at: null,
		base_url: 'https://sandbox.social',
		text_limit: 500,
		text_limit_reported: true,
		...overrides
	};
}

describe('health badges', () => {
	it('says each health in words with a tone', () => {
		expect(healthBadge('ok')).toEqual({ label: 'OK', tone: 'ok' });
		expect(healthBadge('expiring')).toEqual({ label: 'Expiring', tone: 'warn' });
		expect(healthBadge('needs_reconnect')).toEqual({ label: 'Needs reconnect', tone: 'danger' });
		expect(healthBadge('not_connected')).toEqual({ label: 'Not connected', tone: 'muted' });
	});

	it('offers reconnect unless healthy, disconnect only while connected', () => {
		expect(needsReconnect(channel())).toBe(false);
		expect(needsReconnect(channel({ health: 'expiring' }))).toBe(true);
		expect(canDisconnect(channel({ health: 'needs_reconnect' }))).toBe(true);
		expect(canDisconnect(channel({ health: 'not_connected' }))).toBe(false);
	});

	it('lets owners only manage channels', () => {
		expect(canManageChannels('owner')).toBe(true);
		expect(canManageChannels('editor')).toBe(false);
		expect(canManageChannels(undefined)).toBe(false);
	});
});

describe('text limits', () => {
	it("names an instance's own limit and a platform's default", () => {
		expect(textLimitLabel(channel({ text_limit: 11000 }))).toBe("11,000 characters per post, this instance's own limit");
		expect(textLimitLabel(channel({ platform: 'bluesky', text_limit: 300, text_limit_reported: false }))).toBe(
			"300 characters per post, Bluesky's limit"
		);
		expect(textLimitLabel(channel({ platform: 'x', text_limit: 280 }))).toBe("280 characters per post, X's limit");
	});
});

describe('the OAuth callback outcome', () => {
	it('reads a connected channel and its workspace', () => {
		expect(connectOutcome(new URLSearchParams('workspace=w1&connected=c1'))).toEqual({
			kind: 'connected',
			channelId: 'c1',
			workspaceId: 'w1'
		});
	});

	it('reads an error, with words even when it came empty', () => {
		expect(connectOutcome(new URLSearchParams('error=The%20consent%20was%20refused'))).toEqual({
			kind: 'error',
			message: 'The consent was refused'
		});
		expect(connectOutcome(new URLSearchParams('error='))).toEqual({
			kind: 'error',
			message: 'The platform did not connect the account.'
		});
	});

	it('is nothing on a plain visit, and is taken out of the URL', () => {
		expect(connectOutcome(new URLSearchParams(''))).toBeNull();
		const clean = withoutOutcome(new URL('http://x/channels?workspace=w&connected=c&keep=1#top'));
		expect(`${clean.pathname}${clean.search}${clean.hash}`).toBe('/channels?keep=1#top');
	});
});

describe('lists and forms', () => {
	it('sorts by platform name then handle', () => {
		const sorted = sortChannels([
			channel({ id: 'x', platform: 'x', handle: 'b' }),
			channel({ id: 'm', platform: 'mastodon', handle: 'z' }),
			channel({ id: 'b2', platform: 'bluesky', handle: 'b' }),
			channel({ id: 'b1', platform: 'bluesky', handle: 'a' })
		]);
		expect(sorted.map((c) => c.id)).toEqual(['b1', 'b2', 'm', 'x']);
	});

});

describe('channel endpoints', () => {
	function stub(body: unknown, status = 200) {
		const fetchMock = vi.fn(
			async (..._args: [RequestInfo | URL, RequestInit?]) =>
				new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
		);
		vi.stubGlobal('fetch', fetchMock);
		return fetchMock;
	}

	it('lists, connects and disconnects on the workspace', async () => {
		let fetchMock = stub([channel()]);
		expect(await listChannels('w1')).toHaveLength(1);
		expect(sentPath(fetchMock)).toBe('/api/workspaces/w1/channels');

		fetchMock = stub({ authorization_url: 'https://sandbox.social/oauth/authorize?x=1' });
		await startChannelConnect('w1', { platform: 'mastodon', instance_url: 'sandbox.social' });
		expect(sentPath(fetchMock)).toBe('/api/workspaces/w1/channels/connect');
		expect(JSON.parse(await sentBody(fetchMock))).toEqual({ platform: 'mastodon', instance_url: 'sandbox.social' });

		fetchMock = stub(channel({ platform: 'bluesky' }), 201);
		await connectWithAppPassword('w1', { platform: 'bluesky', identifier: 'a.bsky.social', app_password: 'p' });
		expect(sentPath(fetchMock)).toBe('/api/workspaces/w1/channels/app-password');

		fetchMock = stub(channel({ health: 'not_connected' }));
		expect((await disconnectChannel('w1', 'c1')).health).toBe('not_connected');
		expect(sentRequest(fetchMock).method).toBe('POST');
		expect(sentPath(fetchMock)).toBe('/api/workspaces/w1/channels/c1/disconnect');
	});
});
