/**
 * A failed request as the UI shows it, one way on every screen: the server's title and detail (an RFC
 * 9457 problem, through `ApiError`), its messages per input, and those no input shows.
 */

import { ApiError } from './api';

export interface Failure {
	title: string;
	detail: string;
	/** Messages per input name (as `ApiError.fieldErrors`). */
	fields: Record<string, string[]>;
}

export function failureOf(err: unknown): Failure {
	if (err instanceof ApiError) {
		const fields: Record<string, string[]> = {};
		for (const [field, messages] of Object.entries(err.fieldErrors)) fields[field] = [...messages];
		return { title: err.title, detail: err.detail, fields };
	}
	return { title: 'Something went wrong', detail: messageOf(err), fields: {} };
}

/** The server's detail, or the error's own message. */
export function messageOf(err: unknown): string {
	return err instanceof ApiError ? err.detail : err instanceof Error ? err.message : String(err);
}

/** Field messages for inputs the form does not show, as "field: message" (listed in its summary, so none is lost). */
export function otherMessages(fields: Readonly<Record<string, readonly string[]>> | null | undefined, shown: readonly string[]): string[] {
	if (!fields) return [];
	return Object.entries(fields)
		.filter(([field]) => !shown.includes(field))
		.flatMap(([field, messages]) => messages.map((m) => (field ? `${field}: ${m}` : m)));
}

/** The `aria-describedby` of input `id`: its hint (`<id>-hint`), and its error (`<id>-error`) when it has one. */
export function describedBy(id: string, messages: readonly string[] | undefined, hint = true): string | undefined {
	const ids = [hint ? `${id}-hint` : '', messages?.length ? `${id}-error` : ''].filter(Boolean);
	return ids.length ? ids.join(' ') : undefined;
}
