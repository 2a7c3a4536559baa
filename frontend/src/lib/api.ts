/**
 * The typed HTTP client for the PostWizard API.
 *
 * - Same-origin only: the UI is served by the API process (or proxied by Vite in
 *   development), so requests use relative URLs and `credentials: 'same-origin'`; the
 *   HttpOnly session cookie travels by itself.
 * - CSRF: every unsafe request (anything but GET/HEAD/OPTIONS/TRACE) carries
 *   `X-CSRF-Token` with the value of the readable `pw_csrf` cookie (double-submit).
 * - Errors: a non-2xx answer becomes an {@link ApiError}. RFC 9457 problem+json bodies
 *   are parsed as they are; anything else (a proxy's HTML 502, a dropped connection)
 *   is turned into the same shape with a message that says what to do.
 */

export const CSRF_COOKIE = 'pw_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One entry of a problem's `errors` member: which input is wrong and why. */
export interface FieldError {
	field: string;
	message: string;
}

/** An RFC 9457 problem details object as the PostWizard API sends it. */
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

export interface RequestOptions {
	/** Serialised as JSON. */
	body?: unknown;
	headers?: Record<string, string>;
	signal?: AbortSignal;
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

/** Send one request; resolve with the parsed body or reject with an {@link ApiError}. */
export async function request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
	const headers: Record<string, string> = {
		Accept: 'application/json, application/problem+json',
		...options.headers
	};
	let body: string | undefined;
	if (options.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(options.body);
	}
	if (!SAFE_METHODS.has(method)) {
		const token = csrfToken();
		if (token) headers[CSRF_HEADER] = token;
	}

	let response: Response;
	try {
		response = await fetch(path, {
			method,
			headers,
			body,
			credentials: 'same-origin',
			signal: options.signal
		});
	} catch (cause) {
		if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
		throw new ApiError(genericProblem(0), { cause });
	}

	if (!response.ok) {
		let parsed: unknown = null;
		if (isJson(response)) {
			try {
				parsed = await response.json();
			} catch {
				parsed = null;
			}
		}
		throw new ApiError(toProblem(parsed, response));
	}

	if (response.status === 204 || response.status === 205 || method === 'HEAD') {
		return undefined as T;
	}
	const text = await response.text();
	if (!text) return undefined as T;
	return (isJson(response) ? JSON.parse(text) : text) as T;
}

export const api = {
	get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
	post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
		request<T>('POST', path, { ...options, body }),
	put: <T>(path: string, body?: unknown, options?: RequestOptions) =>
		request<T>('PUT', path, { ...options, body }),
	patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
		request<T>('PATCH', path, { ...options, body }),
	delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options)
};

// ---------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------

export type Role = 'owner' | 'editor' | 'reviewer' | 'viewer';

export interface User {
	id: string;
	email: string;
	name: string;
}

export interface WorkspaceMembership {
	id: string;
	name: string;
	role: Role;
	requires_approval: boolean;
}

/** `GET /api/auth/me`: the signed-in user and every workspace they belong to. */
export interface Me extends User {
	workspaces: WorkspaceMembership[];
}

export interface AuthResponse {
	user: User;
	workspaces: WorkspaceMembership[];
	csrf_token: string;
}

export interface SignupInput {
	email: string;
	password: string;
	name: string;
	/** Your own first workspace. May be left out when `invitation_token` brings you into one. */
	workspace_name?: string | null;
	/** An invitation's token: required when sign-up on the server is by invitation. */
	invitation_token?: string | null;
}

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
export function signupBody(input: SignupInput): Record<string, string> {
	const body: Record<string, string> = { email: input.email, password: input.password, name: input.name };
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

export interface LoginInput {
	email: string;
	password: string;
}

export interface Health {
	status: string;
	database: string;
	[extra: string]: unknown;
}

/**
 * Sign up, then log in with the same email and password. Sign-up itself logs nobody in and
 * answers the same whether or not the email already had an account (so it cannot be used to
 * find out who has one); an email that had one with another password fails at the login.
 * With `invitation_token` the new account joins the invitation's workspace (a 409 with rule
 * `invitation_required` means the server admits invited people only).
 */
export async function signup(input: SignupInput, signal?: AbortSignal): Promise<AuthResponse> {
	await api.post<unknown>('/api/auth/signup', signupBody(input), { signal });
	return login({ email: input.email, password: input.password }, signal);
}

export async function login(input: LoginInput, signal?: AbortSignal): Promise<AuthResponse> {
	const result = await api.post<AuthResponse>('/api/auth/login', input, { signal });
	rememberCsrfToken(result.csrf_token);
	return result;
}

/** Who the session cookie belongs to; rejects with a 401 {@link ApiError} when there is no valid session. */
export function getMe(signal?: AbortSignal): Promise<Me> {
	return api.get<Me>('/api/auth/me', { signal });
}

/** End the session on the server (it clears both cookies). Sends `X-CSRF-Token` like every POST. */
export async function logout(signal?: AbortSignal): Promise<void> {
	try {
		await api.post<void>('/api/auth/logout', undefined, { signal });
	} finally {
		rememberCsrfToken(null);
	}
}

export function getHealth(signal?: AbortSignal): Promise<Health> {
	return api.get<Health>('/health', { signal });
}

/** Which model writes captions, and whether it can (with what to do when it cannot). */
export interface CaptionModel {
	model: string;
	kind: 'endpoint' | 'embedded';
	ready: boolean;
	base_url: string | null;
	fix: string | null;
}

/** A workspace's caption generations and tokens, and its hourly limit. */
export interface CaptionUsage {
	requests_today: number;
	tokens_today: number;
	requests_this_month: number;
	prompt_tokens_this_month: number;
	completion_tokens_this_month: number;
	limit_per_hour: number;
	used_this_hour: number;
	model: CaptionModel;
}

export function getCaptionUsage(workspaceId: string, signal?: AbortSignal): Promise<CaptionUsage> {
	return api.get<CaptionUsage>(`/api/workspaces/${encodeURIComponent(workspaceId)}/captions/usage`, { signal });
}

/**
 * A personal API token as `GET /api/auth/tokens` lists it: never its secret, only its first
 * characters (`prefix`) to recognise it. Instants are ISO 8601 strings; `null` means never.
 */
export interface ApiToken {
	id: string;
	name: string;
	prefix: string;
	created_at: string;
	/** Recorded at most once a minute. */
	last_used_at: string | null;
	expires_at: string | null;
	expired: boolean;
}

/** `POST /api/auth/tokens`: give `expires_in_days` (1 to 3650) or `expires_at`, or neither for a token that works until revoked. */
export interface ApiTokenInput {
	name: string;
	expires_in_days?: number | null;
	/** An instant with its time zone, e.g. `2027-01-31T00:00:00Z`. */
	expires_at?: string | null;
}

/** The answer to creating a token: `token` is the secret, shown this once and never again. */
export interface CreatedApiToken {
	id: string;
	name: string;
	token: string;
	expires_at: string | null;
}

/** Your tokens that are not revoked, newest first, expired ones included (`expired: true`). */
export function listApiTokens(signal?: AbortSignal): Promise<ApiToken[]> {
	return api.get<ApiToken[]>('/api/auth/tokens', { signal });
}

/** Create a token for scripts (`Authorization: Bearer pw_...`). Needs a browser session; store the secret now. */
export function createApiToken(input: ApiTokenInput, signal?: AbortSignal): Promise<CreatedApiToken> {
	return api.post<CreatedApiToken>('/api/auth/tokens', input, { signal });
}

/** Revoke one of your tokens: it is refused from the next request on. */
export function revokeApiToken(tokenId: string, signal?: AbortSignal): Promise<void> {
	return api.delete<void>(`/api/auth/tokens/${encodeURIComponent(tokenId)}`, { signal });
}
