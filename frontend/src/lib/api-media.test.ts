import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, uploadMedia } from './api';

/** A stand-in for XMLHttpRequest that records what was sent and answers as told. */
class FakeXhr {
	static last: FakeXhr;
	static answer: { status: number; type: string; body: string } = { status: 201, type: 'application/json', body: '{}' };
	method = '';
	url = '';
	headers: Record<string, string> = {};
	body: FormData | null = null;
	status = 0;
	statusText = '';
	responseText = '';
	upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
	onload: (() => void) | null = null;
	onerror: (() => void) | null = null;
	onabort: (() => void) | null = null;
	constructor() {
		FakeXhr.last = this;
	}
	open(method: string, url: string) {
		this.method = method;
		this.url = url;
	}
	setRequestHeader(name: string, value: string) {
		this.headers[name] = value;
	}
	getResponseHeader(name: string) {
		return name.toLowerCase() === 'content-type' ? FakeXhr.answer.type : null;
	}
	send(body: FormData) {
		this.body = body;
		this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
		this.status = FakeXhr.answer.status;
		this.responseText = FakeXhr.answer.body;
		queueMicrotask(() => this.onload?.());
	}
	abort() {
		this.onabort?.();
	}
}

beforeEach(() => {
	vi.stubGlobal('XMLHttpRequest', FakeXhr);
	document.cookie = 'pw_csrf=token-1; path=/';
});

afterEach(() => {
	document.cookie = 'pw_csrf=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('uploadMedia', () => {
	it('posts the file and its alt text with the CSRF token, reporting progress', async () => {
		const info = { ref: 'media:abc', mime_type: 'image/png', size: 3, width: 1, height: 1, animated: false, alt: 'a dot' };
		FakeXhr.answer = { status: 201, type: 'application/json', body: JSON.stringify(info) };
		const progress: number[] = [];
		const file = new File(['png'], 'dot.png', { type: 'image/png' });
		expect(await uploadMedia('w 1', file, 'a dot', (f) => progress.push(f))).toEqual(info);
		const xhr = FakeXhr.last;
		expect([xhr.method, xhr.url, xhr.headers['X-CSRF-Token']]).toEqual(['POST', '/api/workspaces/w%201/media', 'token-1']);
		expect(xhr.body?.get('alt')).toBe('a dot');
		expect((xhr.body?.get('file') as File).name).toBe('dot.png');
		expect(progress).toEqual([0.5]);
	});

	it('turns a refusal into the ApiError every call throws, with the message on its field', async () => {
		const problem = { type: 'about:blank', title: 'Invalid input', status: 422, detail: 'Check the file.', errors: [{ field: 'body.file', message: 'is not a PNG' }] };
		FakeXhr.answer = { status: 422, type: 'application/problem+json', body: JSON.stringify(problem) };
		const error = await uploadMedia('w', new File(['x'], 'x.png', { type: 'image/png' }), '').catch((e) => e);
		expect(error).toBeInstanceOf(ApiError);
		expect([error.status, error.messageFor('file')]).toEqual([422, 'is not a PNG']);
	});

	it('explains an answer that is not a problem by its status', async () => {
		FakeXhr.answer = { status: 413, type: 'text/html', body: '<h1>Too big</h1>' };
		const error = await uploadMedia('w', new File(['x'], 'x.png', { type: 'image/png' }), '').catch((e) => e);
		expect([error.status, error.detail]).toEqual([413, 'That upload is too large.']);
	});
});
