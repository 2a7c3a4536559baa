/**
 * The typed HTTP client for the PostWizard API, on openapi-fetch with the types generated from
 * the API's OpenAPI document (`./api/schema.d.ts`; regenerate with `make api-types`).
 *
 * - Same-origin only: the UI is served by the API process (or proxied by Vite in
 *   development), so requests go to this page's origin with `credentials: 'same-origin'`; the
 *   HttpOnly session cookie travels by itself.
 * - CSRF: every unsafe request (anything but GET/HEAD/OPTIONS/TRACE) carries
 *   `X-CSRF-Token` with the value of the readable `pw_csrf` cookie (double-submit), added by
 *   a middleware of {@link client}.
 * - Errors: a non-2xx answer becomes an {@link ApiError}. RFC 9457 problem+json bodies
 *   are parsed as they are; anything else (a proxy's HTML 502, a dropped connection)
 *   is turned into the same shape with a message that says what to do.
 *
 * Request and response types are never written by hand: use `components['schemas'][...]`
 * (aliases below) and call endpoints through `client` + {@link unwrap}, e.g.
 * `unwrap(client.GET('/api/workspaces/{workspace_id}/campaigns', { params: { path: { workspace_id } } }))`.
 */

import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api/schema';

export type { components, paths };
/** The API's schemas by name, e.g. `Schemas['CampaignOut']`. */
export type Schemas = components['schemas'];

export const CSRF_COOKIE = 'pw_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** One entry of a problem's `errors` member: which input is wrong and why. */
export interface FieldError {
	field: string;
	message: string;
}

/**
 * An RFC 9457 problem details object as the PostWizard API sends it. Written here because the
 * OpenAPI document does not describe error bodies yet (it lists FastAPI's default
 * `HTTPValidationError` for 422, which the API never sends); once the backend documents its
 * problem responses, alias the generated schema instead.
 */
export interface Problem {
	type: string;
	title: string;
	status: number;
	detail?: string;
	instance?: string;
	errors?: FieldError[];
	[extension: string]: unknown;
}

/** Why a request failed, with the server's explanation when it gave one. */
export class ApiError extends Error {
	override readonly name = 'ApiError';
	/** HTTP status; 0 when the server could not be reached at all. */
	readonly status: number;
	readonly type: string;
	readonly title: string;
	readonly detail: string;
	readonly errors: readonly FieldError[];
	/** Messages per input name (`body.email`, `/email` and `email` all become `email`). */
	readonly fieldErrors: Readonly<Record<string, string[]>>;
	/** The business rule a 409 names (`invitation_required`, `last_owner`, …); null when none. */
	readonly rule: string | null;
	readonly problem: Problem;

	constructor(problem: Problem, options?: { cause?: unknown }) {
		super(problem.detail || problem.title, options);
		this.problem = problem;
		this.status = problem.status;
		this.type = problem.type;
		this.title = problem.title;
		this.detail = problem.detail || problem.title;
		this.errors = problem.errors ?? [];
		const byField: Record<string, string[]> = {};
		for (const { field, message } of this.errors) {
			(byField[normalizeField(field)] ??= []).push(message);
		}
		this.fieldErrors = byField;
		this.rule = typeof problem.rule === 'string' && problem.rule ? problem.rule : null;
	}

	/** All messages for one input, joined for display; undefined when it has none. */
	messageFor(field: string): string | undefined {
		return this.fieldErrors[field]?.join(' ');
	}
}

/** `body.email`, `#/email`, `/email` -> `email`; nested paths keep their dots (`targets.0.text`). */
export function normalizeField(field: string): string {
	return field
		.replace(/^#?\//, '')
		.replace(/\//g, '.')
		.replace(/^(body|query|path)\./, '');
}

/** The value of a cookie readable from script, or null. */
export function readCookie(name: string, cookies: string = globalThis.document?.cookie ?? ''): string | null {
	for (const part of cookies.split(';')) {
		const eq = part.indexOf('=');
		if (eq === -1) continue;
		if (part.slice(0, eq).trim() === name) {
			const raw = part.slice(eq + 1).trim();
			try {
				return decodeURIComponent(raw);
			} catch {
				return raw;
			}
		}
	}
	return null;
}

let lastCsrfToken: string | null = null;

/**
 * Remember the token an auth response carried. The `pw_csrf` cookie stays the source of
 * truth (it survives reloads and rotations); this is only a fallback for the moment
 * between a login answer and the browser exposing its cookie.
 */
export function rememberCsrfToken(token: string | null): void {
	lastCsrfToken = token;
}

export function csrfToken(): string | null {
	return readCookie(CSRF_COOKIE) ?? lastCsrfToken;
}

const GENERIC_DETAIL: Record<number, string> = {
	0: 'Could not reach the PostWizard server. Check your connection and that the server is running, then try again.',
	401: 'Your session has ended. Log in again to continue.',
	403: 'You do not have permission to do that in this workspace.',
	404: 'That item does not exist or is not in your workspace.',
	409: 'Someone else changed this at the same time. Reload and try again.',
	413: 'That upload is too large.',
	429: 'Too many requests. Wait a moment, then try again.',
	502: 'The PostWizard server is not responding. Check that it is running, then try again.',
	503: 'The PostWizard server is temporarily unavailable. Try again in a moment.',
	504: 'The PostWizard server took too long to answer. Try again in a moment.'
};

function genericProblem(status: number, statusText = ''): Problem {
	return {
		type: 'about:blank',
		title: statusText || (status === 0 ? 'Network error' : `HTTP ${status}`),
		status,
		detail:
			GENERIC_DETAIL[status] ??
			(status >= 500
				? 'The server ran into an error. Try again; if it keeps happening, check the server logs.'
				: 'The request could not be completed.')
	};
}

function isJson(response: Response): boolean {
	const type = response.headers.get('content-type') ?? '';
	return /[/+]json\b/i.test(type);
}

function toProblem(body: unknown, response: Response): Problem {
	const fallback = genericProblem(response.status, response.statusText);
	if (!body || typeof body !== 'object' || Array.isArray(body)) return fallback;
	const raw = body as Record<string, unknown>;
	const errors = Array.isArray(raw.errors)
		? raw.errors
				.filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
				.map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
		: undefined;
	return {
		...raw,
		type: typeof raw.type === 'string' ? raw.type : fallback.type,
		title: typeof raw.title === 'string' ? raw.title : fallback.title,
		status: typeof raw.status === 'number' ? raw.status : response.status,
		detail: typeof raw.detail === 'string' && raw.detail ? raw.detail : fallback.detail,
		...(errors ? { errors } : {})
	};
}

/** Adds `X-CSRF-Token` to unsafe requests, and turns a failed connection into an {@link ApiError} (status 0). */
export const csrfAndNetworkErrors: Middleware = {
	onRequest({ request }) {
		if (!SAFE_METHODS.has(request.method.toUpperCase())) {
			const token = csrfToken();
			if (token) request.headers.set(CSRF_HEADER, token);
		}
		return request;
	},
	onError({ error }) {
		// An aborted request is rethrown as it is (callers ignore it); anything else is a failed connection.
		if ((error as { name?: unknown } | null)?.name === 'AbortError') return undefined;
		return new ApiError(genericProblem(0), { cause: error });
	}
};

/**
 * The typed client: `client.GET('/api/auth/me')`, paths and bodies checked against the
 * OpenAPI document. Wrap calls in {@link unwrap} to get the data or an {@link ApiError}.
 */
export const client = createClient<paths>({
	// Absolute, on this page's origin: Request objects need one outside a browser (tests).
	baseUrl: globalThis.location?.origin ?? '',
	credentials: 'same-origin',
	headers: { Accept: 'application/json, application/problem+json' },
	// Looked up per call, so a stubbed `fetch` (tests) is used.
	fetch: (request: Request) => globalThis.fetch(request)
});
client.use(csrfAndNetworkErrors);

/** What an openapi-fetch call resolves to. */
interface FetchResult<T> {
	data?: T;
	error?: unknown;
	response: Response;
}

/** The data of a successful call, or an {@link ApiError} built from the problem the server answered. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
	const { data, error, response } = await call;
	if (!response.ok) throw new ApiError(toProblem(isJson(response) ? error : null, response));
	return data as T;
}

// ---------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------

/** A role in a workspace: `owner`, `editor`, `reviewer` or `viewer` (an enum in the API's OpenAPI). */
export type Role = Schemas['WorkspaceOut']['role'];
export type User = Schemas['UserOut'];
/** One workspace of the signed-in user, with their role in it. */
export type WorkspaceMembership = Schemas['WorkspaceOut'];
/** `GET /api/auth/me`: the signed-in user and every workspace they belong to. */
export type Me = Schemas['MeOut'];
/** `POST /api/auth/login`: the user, their workspaces and the CSRF token. */
export type AuthResponse = Schemas['SessionOut'];
/** `POST /api/auth/signup`: `workspace_name` may be left out when `invitation_token` brings you into a workspace. */
export type SignupInput = Schemas['SignUpIn'];
export type LoginInput = Schemas['LogInIn'];

/** The query parameter an invitation link carries its token in: `/login?mode=signup&invitation=<token>`. */
export const INVITATION_PARAM = 'invitation';

/** The invitation token a sign-up link carries, trimmed; '' when it has none. */
export function invitationFromUrl(url: URL): string {
	return url.searchParams.get(INVITATION_PARAM)?.trim() ?? '';
}

/** The link that opens the sign-up form, keeping an invitation token when there is one. */
export function signupHref(invitationToken = ''): string {
	const token = invitationToken.trim();
	return token ? `/login?mode=signup&${INVITATION_PARAM}=${encodeURIComponent(token)}` : '/login?mode=signup';
}

/**
 * The `POST /api/auth/signup` body. With an invitation token, a blank workspace name is left
 * out (you only join the invitation's workspace); without one it is always sent, so the server
 * names the field when it is missing. A blank token is left out.
 */
export function signupBody(input: SignupInput): SignupInput {
	const body: SignupInput = { email: input.email, password: input.password, name: input.name };
	const token = input.invitation_token?.trim() ?? '';
	const workspaceName = input.workspace_name ?? '';
	if (!token || workspaceName.trim()) body.workspace_name = workspaceName;
	if (token) body.invitation_token = token;
	return body;
}

/** Sign-up rules (409) that are about one input: their detail is shown beside it. */
const SIGNUP_RULE_FIELDS: Readonly<Record<string, string>> = {
	invitation_expired: 'invitation_token',
	invitation_used: 'invitation_token',
	invitation_email: 'email'
};

/** A failed sign-up's messages per input: the server's field errors, plus the rules that concern one input. */
export function signupFieldErrors(error: ApiError): Record<string, string[]> {
	const byField: Record<string, string[]> = {};
	for (const [field, messages] of Object.entries(error.fieldErrors)) byField[field] = [...messages];
	const field = error.rule ? SIGNUP_RULE_FIELDS[error.rule] : undefined;
	if (field) (byField[field] ??= []).push(error.detail);
	return byField;
}

/**
 * `GET /health`. Not typed by the API: the route answers a bare JSONResponse, so its OpenAPI
 * says nothing about the body (`unknown`). Give the route a response model in the backend to
 * type this; until then it is any JSON object (`status`, `database`, `projections`, ...).
 */
export type Health = Record<string, unknown>;

/**
 * Sign up, then log in with the same email and password. Sign-up itself logs nobody in and
 * answers the same whether or not the email already had an account (so it cannot be used to
 * find out who has one); an email that had one with another password fails at the login.
 * With `invitation_token` the new account joins the invitation's workspace (a 409 with rule
 * `invitation_required` means the server admits invited people only).
 */
export async function signup(input: SignupInput, signal?: AbortSignal): Promise<AuthResponse> {
	await unwrap(client.POST('/api/auth/signup', { body: signupBody(input), signal }));
	return login({ email: input.email, password: input.password }, signal);
}

export async function login(input: LoginInput, signal?: AbortSignal): Promise<AuthResponse> {
	const result = await unwrap(client.POST('/api/auth/login', { body: input, signal }));
	rememberCsrfToken(result.csrf_token);
	return result;
}

/** Who the session cookie belongs to; rejects with a 401 {@link ApiError} when there is no valid session. */
export function getMe(signal?: AbortSignal): Promise<Me> {
	return unwrap(client.GET('/api/auth/me', { signal }));
}

/** `PATCH /api/auth/me`: choose the zone times are shown in (null follows the browser's); answers the new `me`. */
export function setTimeZone(timeZone: string | null, signal?: AbortSignal): Promise<Me> {
	return unwrap(client.PATCH('/api/auth/me', { body: { time_zone: timeZone }, signal }));
}

/** End the session on the server (it clears both cookies). Sends `X-CSRF-Token` like every POST. */
export async function logout(signal?: AbortSignal): Promise<void> {
	try {
		await unwrap(client.POST('/api/auth/logout', { signal }));
	} finally {
		rememberCsrfToken(null);
	}
}

export function getHealth(signal?: AbortSignal): Promise<Health> {
	return unwrap(client.GET('/health', { signal })) as Promise<Health>;
}

/** Which model writes captions, and whether it can (`kind` is `endpoint` or `embedded`; typed as a string by the API). */
export type CaptionModel = Schemas['CaptionModelOut'];
/** A workspace's caption generations and tokens, and its hourly limit. */
export type CaptionUsage = Schemas['CaptionUsageOut'];

export function getCaptionUsage(workspaceId: string, signal?: AbortSignal): Promise<CaptionUsage> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/captions/usage', { params: { path: { workspace_id: workspaceId } }, signal })
	);
}

/**
 * A personal API token as `GET /api/auth/tokens` lists it: never its secret, only its first
 * characters (`prefix`) to recognise it. Instants are ISO 8601 strings; `null` means never.
 */
export type ApiToken = Schemas['ApiTokenListedOut'];
/** `POST /api/auth/tokens`: give `expires_in_days` (1 to 3650) or `expires_at`, or neither for a token that works until revoked. */
export type ApiTokenInput = Schemas['ApiTokenIn'];
/** The answer to creating a token: `token` is the secret, shown this once and never again. */
export type CreatedApiToken = Schemas['ApiTokenOut'];

/** Your tokens that are not revoked, newest first, expired ones included (`expired: true`). */
export function listApiTokens(signal?: AbortSignal): Promise<ApiToken[]> {
	return unwrap(client.GET('/api/auth/tokens', { signal }));
}

/** Create a token for scripts (`Authorization: Bearer pw_...`). Needs a browser session; store the secret now. */
export function createApiToken(input: ApiTokenInput, signal?: AbortSignal): Promise<CreatedApiToken> {
	return unwrap(client.POST('/api/auth/tokens', { body: input, signal }));
}

/** Revoke one of your tokens: it is refused from the next request on. */
export function revokeApiToken(tokenId: string, signal?: AbortSignal): Promise<void> {
	return unwrap(client.DELETE('/api/auth/tokens/{token_id}', { params: { path: { token_id: tokenId } }, signal }));
}

// ----- Posts: the queue and a post's detail --------------------------------------------------

/** A post with its targets (one per channel: state, link, failure and fix); `history` only on its detail. */
export type Post = Schemas['PostOut'];
/** One channel of a post: `state` is draft, scheduled, publishing, published, unconfirmed, failed or cancelled. */
export type PostTarget = Schemas['TargetOut'];
/** Why a target did not go out, and the fix (`reason` is typed, `fix` is words for the user). */
export type PostFailure = Schemas['FailureOut'];
/** One event of a post's history: who (`actor_id`, null for the worker) did what (`event`, `details`) when. */
export type PostHistoryEntry = Schemas['HistoryOut'];
/** `GET /api/workspaces/{ws}/posts` filters: `status` is the post's status (draft … scheduled, cancelled), `state` a target's; `from`/`to` instants; `limit` and `cursor` page. */
export type PostListQuery = NonNullable<paths['/api/workspaces/{workspace_id}/posts']['get']['parameters']['query']>;

/** The workspace's posts, most recently changed first. */
export function listPosts(workspaceId: string, query: PostListQuery = {}, signal?: AbortSignal): Promise<Post[]> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/posts', { params: { path: { workspace_id: workspaceId }, query }, signal })
	);
}

/** One page of posts and the cursor of the next (null on the last page). */
export interface PostPage {
	posts: Post[];
	nextCursor: string | null;
}

/** The header that names the next page's `cursor` (the API's keyset paging). */
export const NEXT_CURSOR_HEADER = 'X-Next-Cursor';

/** A page of the workspace's posts, most recently changed first; pass `cursor: nextCursor` for the next one. */
export async function listPostsPage(workspaceId: string, query: PostListQuery = {}, signal?: AbortSignal): Promise<PostPage> {
	const call = client.GET('/api/workspaces/{workspace_id}/posts', {
		params: { path: { workspace_id: workspaceId }, query },
		signal
	});
	const posts = await unwrap(call);
	const { response } = await call;
	return { posts, nextCursor: response.headers.get(NEXT_CURSOR_HEADER) || null };
}

/** One post with its targets and its history (the event log). */
export function getPost(workspaceId: string, postId: string, signal?: AbortSignal): Promise<Post> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/posts/{post_id}', {
			params: { path: { workspace_id: workspaceId, post_id: postId } },
			signal
		})
	);
}

/** Retry a failed target now (safe: never posts a target twice); answers the post as it is now. */
export function retryPostTarget(workspaceId: string, postId: string, channelId: string, signal?: AbortSignal): Promise<Post> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/posts/{post_id}/retry', {
			params: { path: { workspace_id: workspaceId, post_id: postId } },
			body: { channel_id: channelId },
			signal
		})
	);
}

/** A post's engagement: per published target the latest numbers (null: the platform does not give it), when
 * they were read (`captured_at`) and are read next (`next_poll_at`), and the series; `totals` over targets. */
export type PostEngagement = Schemas['PostEngagementOut'];
export type TargetEngagement = Schemas['TargetEngagementOut'];

export function getPostEngagement(workspaceId: string, postId: string, signal?: AbortSignal): Promise<PostEngagement> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/posts/{post_id}/engagement', {
			params: { path: { workspace_id: workspaceId, post_id: postId } },
			signal
		})
	);
}

/** Ask for the post's numbers now (a worker reads them in a moment; watch `captured_at`). */
export function refreshPostEngagement(workspaceId: string, postId: string, signal?: AbortSignal): Promise<{ targets: number }> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/posts/{post_id}/engagement/refresh', {
			params: { path: { workspace_id: workspaceId, post_id: postId } },
			signal
		})
	);
}

/** Cancel the whole post (no `channelIds`) or some of its targets; publishing or published ones cannot be. */
export function cancelPost(workspaceId: string, postId: string, channelIds?: string[], signal?: AbortSignal): Promise<Post> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/posts/{post_id}/cancel', {
			params: { path: { workspace_id: workspaceId, post_id: postId } },
			body: channelIds ? { channel_ids: channelIds } : {},
			signal
		})
	);
}

/**
 * Change a post's text, images or channels, as loaded at `version` (sent as `If-Match`: a change
 * someone else saved in between is refused, 409 `concurrent_modification`). Left out: unchanged.
 */
export function editPost(
	workspaceId: string,
	postId: string,
	version: number,
	changes: Schemas['PostPatch'],
	signal?: AbortSignal
): Promise<Post> {
	return unwrap(
		client.PATCH('/api/workspaces/{workspace_id}/posts/{post_id}', {
			params: { path: { workspace_id: workspaceId, post_id: postId }, header: { 'If-Match': `"${version}"` } },
			body: changes,
			signal
		})
	);
}

/** Write one channel's variant of a post loaded at `version`; `null` removes it (the base text is used there). */
export function setPostVariant(
	workspaceId: string,
	postId: string,
	channelId: string,
	version: number,
	text: string | null,
	signal?: AbortSignal
): Promise<Post> {
	const params = {
		path: { workspace_id: workspaceId, post_id: postId, channel_id: channelId },
		header: { 'If-Match': `"${version}"` }
	};
	return unwrap(
		text === null
			? client.DELETE('/api/workspaces/{workspace_id}/posts/{post_id}/variants/{channel_id}', { params, signal })
			: client.PUT('/api/workspaces/{workspace_id}/posts/{post_id}/variants/{channel_id}', { params, body: { text }, signal })
	);
}

/** A member of a workspace (who did what in a post's history). */
export type Member = Schemas['MemberOut'];

export function listMembers(workspaceId: string, signal?: AbortSignal): Promise<Member[]> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/members', { params: { path: { workspace_id: workspaceId } }, signal })
	);
}

/** A campaign: objective, dates, brand voice, UTM defaults, status (`planned` -> `active` -> `completed`) and `archived`. */
export type Campaign = Schemas['CampaignOut'];
/** `POST .../campaigns`: only `name` is required. */
export type CampaignInput = Schemas['CampaignIn'];
/** `PATCH .../campaigns/{id}`: only the fields sent are changed. */
export type CampaignPatch = Schemas['CampaignPatch'];

/** The workspace's campaigns; archived ones only with `includeArchived`. */
export function listCampaigns(workspaceId: string, includeArchived = false, signal?: AbortSignal): Promise<Campaign[]> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/campaigns', {
			params: { path: { workspace_id: workspaceId }, query: { include_archived: includeArchived } },
			signal
		})
	);
}

export function getCampaign(workspaceId: string, campaignId: string, signal?: AbortSignal): Promise<Campaign> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/campaigns/{campaign_id}', {
			params: { path: { workspace_id: workspaceId, campaign_id: campaignId } },
			signal
		})
	);
}

export function createCampaign(workspaceId: string, input: CampaignInput, signal?: AbortSignal): Promise<Campaign> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/campaigns', {
			params: { path: { workspace_id: workspaceId } },
			body: input,
			signal
		})
	);
}

/**
 * Change a campaign loaded at `version`: sent as `If-Match`, so a change someone else saved in
 * between is refused (409, rule `concurrent_modification`: reload and edit again).
 */
export function updateCampaign(
	workspaceId: string,
	campaignId: string,
	version: number,
	changes: CampaignPatch,
	signal?: AbortSignal
): Promise<Campaign> {
	return unwrap(
		client.PATCH('/api/workspaces/{workspace_id}/campaigns/{campaign_id}', {
			params: {
				path: { workspace_id: workspaceId, campaign_id: campaignId },
				header: { 'If-Match': `"${version}"` }
			},
			body: changes,
			signal
		})
	);
}

/** Activate, complete or archive a campaign (409 `campaign_status_transition` / `campaign_active` / `campaign_archived` when not allowed). */
export function changeCampaignStatus(
	workspaceId: string,
	campaignId: string,
	action: 'activate' | 'complete' | 'archive',
	signal?: AbortSignal
): Promise<Campaign> {
	const params = { path: { workspace_id: workspaceId, campaign_id: campaignId } };
	switch (action) {
		case 'activate':
			return unwrap(client.POST('/api/workspaces/{workspace_id}/campaigns/{campaign_id}/activate', { params, signal }));
		case 'complete':
			return unwrap(client.POST('/api/workspaces/{workspace_id}/campaigns/{campaign_id}/complete', { params, signal }));
		case 'archive':
			return unwrap(client.POST('/api/workspaces/{workspace_id}/campaigns/{campaign_id}/archive', { params, signal }));
	}
}

// ----- channels ------------------------------------------------------------------------

/** A channel of a workspace with its token health (reason and fix when not ok) and its text limit. */
export type Channel = Schemas['ChannelOut'];
export type ChannelHealth = Channel['health'];
/** `POST .../channels/connect`: Mastodon (with `instance_url`) or X; answers the platform's consent URL. */
export type ChannelConnectInput = Schemas['ConnectIn'];
/** `POST .../channels/app-password`: Bluesky's handle (or email), app password and optional PDS. */
export type AppPasswordInput = Schemas['AppPasswordIn'];

export function listChannels(workspaceId: string, signal?: AbortSignal): Promise<Channel[]> {
	return unwrap(client.GET('/api/workspaces/{workspace_id}/channels', { params: { path: { workspace_id: workspaceId } }, signal }));
}

/** Start an OAuth connect: send the browser to the answer's `authorization_url`; it comes back to `/channels?connected=`. */
export function startChannelConnect(
	workspaceId: string,
	input: ChannelConnectInput,
	signal?: AbortSignal
): Promise<Schemas['ConnectOut']> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/channels/connect', {
			params: { path: { workspace_id: workspaceId } },
			body: input,
			signal
		})
	);
}

/** Connect (or reconnect) Bluesky with an app password; only the session tokens are kept. */
export function connectWithAppPassword(workspaceId: string, input: AppPasswordInput, signal?: AbortSignal): Promise<Channel> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/channels/app-password', {
			params: { path: { workspace_id: workspaceId } },
			body: input,
			signal
		})
	);
}

/** Disconnect a channel: its tokens are deleted, the channel and its posts stay (not connected). */
export function disconnectChannel(workspaceId: string, channelId: string, signal?: AbortSignal): Promise<Channel> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/channels/{channel_id}/disconnect', {
			params: { path: { workspace_id: workspaceId, channel_id: channelId } },
			signal
		})
	);
}

// ----- team: members, roles, invitations, workspace settings ----------------------------

/** `POST .../invitations`: an email and a {@link Role}. */
export type InvitationInput = Schemas['InvitationIn'];
/** A new invitation: `token` is its secret (shown once; the link carries it), `expires_at` an ISO instant. */
export type CreatedInvitation = Schemas['InvitationOut'];
/** `PATCH /api/workspaces/{id}`: only the fields sent change. */
export type WorkspaceSettingsInput = Schemas['WorkspaceSettingsIn'];

/** Invite by email with a role (owners only; 409 `already_member` when they are in already). */
export function inviteMember(workspaceId: string, input: InvitationInput, signal?: AbortSignal): Promise<CreatedInvitation> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/invitations', {
			params: { path: { workspace_id: workspaceId } },
			body: input,
			signal
		})
	);
}

/** An invitation neither accepted nor expired: whom, as what, invited by whom, until when (never its token). */
export type PendingInvitation = Schemas['PendingInvitationOut'];

/** The workspace's pending invitations, soonest to expire first (owners only). */
export function listInvitations(workspaceId: string, signal?: AbortSignal): Promise<PendingInvitation[]> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/invitations', { params: { path: { workspace_id: workspaceId } }, signal })
	);
}

/** Cancel a pending invitation: its link stops working at once (owners only; 404 once accepted or cancelled). */
export function cancelInvitation(workspaceId: string, invitationId: string, signal?: AbortSignal): Promise<void> {
	return unwrap(
		client.DELETE('/api/workspaces/{workspace_id}/invitations/{invitation_id}', {
			params: { path: { workspace_id: workspaceId, invitation_id: invitationId } },
			signal
		})
	);
}

/** Change a member's role (owners only; 409 `last_owner` when it would leave the workspace without an owner). */
export function changeMemberRole(workspaceId: string, userId: string, role: Role, signal?: AbortSignal): Promise<Member> {
	return unwrap(
		client.PUT('/api/workspaces/{workspace_id}/members/{user_id}', {
			params: { path: { workspace_id: workspaceId, user_id: userId } },
			body: { role },
			signal
		})
	);
}

/** Rename the workspace or turn "approval required before scheduling" on or off (owners only). */
export function updateWorkspace(
	workspaceId: string,
	changes: WorkspaceSettingsInput,
	signal?: AbortSignal
): Promise<WorkspaceMembership> {
	return unwrap(
		client.PATCH('/api/workspaces/{workspace_id}', { params: { path: { workspace_id: workspaceId } }, body: changes, signal })
	);
}

/** Join the workspace an invitation is for, as the signed-in user (the invitation's email must be theirs). */
export function acceptInvitation(token: string, signal?: AbortSignal): Promise<WorkspaceMembership> {
	return unwrap(client.POST('/api/invitations/accept', { body: { token }, signal }));
}

// ----- Composer: platform rules and creating a post ------------------------------------------

/** `GET /api/platforms/rules`: each platform's text rules (untyped in the OpenAPI; read with `countingRulesOf` in compose-counting.ts). */
export function getPlatformRules(signal?: AbortSignal): Promise<unknown> {
	return unwrap(client.GET('/api/platforms/rules', { signal })) as Promise<unknown>;
}

/** `POST .../posts`: `text`, `channel_ids`, optional `campaign_id` and `variants` {channel_id: text}; with `schedule_at` (wall time) + `timezone` it is scheduled in the same write. */
export type PostInput = Schemas['PostIn'];

/** Create a post (a draft, or scheduled when the input has `schedule_at`); answers it with its targets. */
export function createPost(workspaceId: string, input: PostInput, signal?: AbortSignal): Promise<Post> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/posts', { params: { path: { workspace_id: workspaceId } }, body: input, signal })
	);
}

/** `POST .../captions` and `.../captions/stream`: a brief, the platforms, and the controls (tone, length, emoji, hashtags, alternatives). */
export type CaptionsInput = Schemas['CaptionsIn'];
/** One checked caption: `source` is model, repaired or fallback; `changes` says what PostWizard changed. */
export type CaptionVariant = Schemas['CaptionVariantOut'];
export type PlatformCaptions = Schemas['PlatformCaptionsOut'];

/**
 * Start streaming captions (Server-Sent Events: `token`, `variants`, then `done` or `error`; read
 * them with `readCaptionEvents` in compose-captions.ts). Bad input and the hourly limit are refused
 * before the stream starts, as an {@link ApiError}.
 */
export async function streamCaptions(
	workspaceId: string,
	input: CaptionsInput,
	signal?: AbortSignal
): Promise<ReadableStream<Uint8Array>> {
	const stream = await unwrap(
		client.POST('/api/workspaces/{workspace_id}/captions/stream', {
			params: { path: { workspace_id: workspaceId } },
			body: input,
			headers: { Accept: 'text/event-stream, application/problem+json' },
			parseAs: 'stream',
			signal
		})
	);
	if (!stream) throw new ApiError({ type: 'about:blank', title: 'No captions', status: 0, detail: 'The server sent no captions. Try again.' });
	return stream as ReadableStream<Uint8Array>;
}

// ----- calendar ------------------------------------------------------------------------

/** One scheduled target in the calendar: its post, channel, instant (and the zone it was scheduled in), state, preview. */
export type CalendarEntry = Schemas['CalendarEntryOut'];
/** `GET .../calendar` filters: `start`/`end` instants (required), `channel_id` (repeatable), `campaign_id`. */
export type CalendarQuery = paths['/api/workspaces/{workspace_id}/calendar']['get']['parameters']['query'];

/** Targets scheduled in [start, end). */
export function getCalendar(workspaceId: string, query: CalendarQuery, signal?: AbortSignal): Promise<CalendarEntry[]> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/calendar', { params: { path: { workspace_id: workspaceId }, query }, signal })
	);
}

/** Move a scheduled post (or some of its targets) to `at`, a wall-clock time in `timezone`; a past time or a locked target is refused. */
export function reschedulePost(
	workspaceId: string,
	postId: string,
	body: Schemas['RescheduleIn'],
	signal?: AbortSignal
): Promise<Post> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/posts/{post_id}/reschedule', {
			params: { path: { workspace_id: workspaceId, post_id: postId } },
			body,
			signal
		})
	);
}

// ----- media ---------------------------------------------------------------------------

/** An uploaded image: `ref` goes in a post's `media`; size in bytes, dimensions, whether it moves, its alt text. */
export type MediaInfo = Schemas['MediaOut'];

/**
 * `POST .../media` (multipart `file` + `alt`), reporting upload progress as a fraction 0..1. Sent
 * with XMLHttpRequest because fetch cannot report upload progress; a refusal becomes the same
 * {@link ApiError} every other call throws (a 422 names the field: `file` or `alt`).
 */
export function uploadMedia(
	workspaceId: string,
	file: Blob,
	alt: string,
	onprogress?: (fraction: number) => void,
	signal?: AbortSignal
): Promise<MediaInfo> {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', `/api/workspaces/${encodeURIComponent(workspaceId)}/media`);
		xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
		const token = csrfToken();
		if (token) xhr.setRequestHeader(CSRF_HEADER, token);
		xhr.upload.onprogress = (e) => {
			if (e.lengthComputable && e.total) onprogress?.(e.loaded / e.total);
		};
		xhr.onload = () => {
			const response = new Response(xhr.responseText || null, {
				status: xhr.status,
				statusText: xhr.statusText,
				headers: { 'content-type': xhr.getResponseHeader('content-type') ?? '' }
			});
			let body: unknown = null;
			try {
				body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
			} catch {
				body = null;
			}
			if (response.ok) resolve(body as MediaInfo);
			else reject(new ApiError(toProblem(isJson(response) ? body : null, response)));
		};
		xhr.onerror = () => reject(new ApiError(genericProblem(0)));
		xhr.onabort = () => reject(new DOMException('The upload was stopped.', 'AbortError'));
		signal?.addEventListener('abort', () => xhr.abort(), { once: true });
		const form = new FormData();
		form.append('file', file, (file as File).name ?? 'image');
		form.append('alt', alt);
		xhr.send(form);
	});
}

/** An uploaded image's record (size, dimensions, alt text). */
export function getMediaInfo(workspaceId: string, ref: string, signal?: AbortSignal): Promise<MediaInfo> {
	return unwrap(
		client.GET('/api/workspaces/{workspace_id}/media/{ref}', { params: { path: { workspace_id: workspaceId, ref } }, signal })
	);
}

/** Where an uploaded image's bytes are served (same origin, for an `<img src>`). */
export function mediaContentUrl(workspaceId: string, ref: string): string {
	return `/api/workspaces/${encodeURIComponent(workspaceId)}/media/${encodeURIComponent(ref)}/content`;
}

// ----- review --------------------------------------------------------------------------

/** Send a draft for review (workspaces that require approval; editors and owners). */
export function submitPost(workspaceId: string, postId: string, signal?: AbortSignal): Promise<Post> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/posts/{post_id}/submit', {
			params: { path: { workspace_id: workspaceId, post_id: postId } },
			signal
		})
	);
}

/** Approve a post in review, or send it back to its editor with a note (reviewers and owners). */
export function reviewPost(
	workspaceId: string,
	postId: string,
	decision: 'approve' | 'request-changes',
	note: string,
	signal?: AbortSignal
): Promise<Post> {
	const init = { params: { path: { workspace_id: workspaceId, post_id: postId } }, body: { note }, signal };
	return unwrap(
		decision === 'approve'
			? client.POST('/api/workspaces/{workspace_id}/posts/{post_id}/approve', init)
			: client.POST('/api/workspaces/{workspace_id}/posts/{post_id}/request-changes', init)
	);
}

/** Schedule a draft (or an approved post) at `at`, a wall-clock time in `timezone`. */
export function schedulePost(workspaceId: string, postId: string, body: Schemas['ScheduleIn'], signal?: AbortSignal): Promise<Post> {
	return unwrap(
		client.POST('/api/workspaces/{workspace_id}/posts/{post_id}/schedule', {
			params: { path: { workspace_id: workspaceId, post_id: postId } },
			body,
			signal
		})
	);
}

/** Change an uploaded image's alt text (what platforms read to people who cannot see it). */
export function describeMedia(workspaceId: string, ref: string, alt: string, signal?: AbortSignal): Promise<MediaInfo> {
	return unwrap(
		client.PATCH('/api/workspaces/{workspace_id}/media/{ref}', {
			params: { path: { workspace_id: workspaceId, ref } },
			body: { alt },
			signal
		})
	);
}
