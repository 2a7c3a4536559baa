import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, changeCampaignStatus, updateCampaign, type Campaign } from './api';
import {
	addChips,
	availableActions,
	boardColumns,
	campaignForm,
	clashes,
	dateRange,
	errorsByInput,
	hashtag,
	inputFor,
	isConflict,
	patchBody,
	statusLabel,
	utmBody,
	utmForm
} from './campaigns';

function campaign(overrides: Partial<Campaign> = {}): Campaign {
	return {
		id: 'c1',
		name: 'Spring',
		objective: 'Sign-ups',
		status: 'planned',
		archived: false,
		starts_on: '2026-03-01',
		ends_on: '2026-03-31',
		brand_voice: { tone: 'warm', audience: '', keywords: ['fresh'], banned_words: [], default_hashtags: ['#spring'] },
		utm_defaults: { utm_source: 'social' },
		version: 3,
		post_count: 0,
		created_at: '2026-02-01T10:00:00Z',
		updated_at: '2026-02-01T10:00:00Z',
		...overrides
	};
}

describe('boardColumns', () => {
	const all = [
		campaign({ id: 'a', name: 'B planned', starts_on: '2026-05-01' }),
		campaign({ id: 'b', name: 'A planned', starts_on: '2026-05-01' }),
		campaign({ id: 'c', name: 'Early', starts_on: '2026-01-01' }),
		campaign({ id: 'd', name: 'Undated', starts_on: null }),
		campaign({ id: 'e', status: 'active' }),
		campaign({ id: 'f', status: 'completed' }),
		campaign({ id: 'g', status: 'completed', archived: true })
	];

	it('puts each campaign under its status, archived ones only when asked, sorted by start then name', () => {
		const columns = boardColumns(all, false);
		expect(columns.map((c) => c.key)).toEqual(['planned', 'active', 'completed']);
		expect(columns[0].campaigns.map((c) => c.id)).toEqual(['c', 'b', 'a', 'd']);
		expect(columns[1].campaigns.map((c) => c.id)).toEqual(['e']);
		expect(columns[2].campaigns.map((c) => c.id)).toEqual(['f']);
	});

	it('adds an Archived column holding archived campaigns whatever their status', () => {
		const columns = boardColumns(all, true);
		expect(columns.map((c) => c.label)).toEqual(['Planned', 'Active', 'Completed', 'Archived']);
		expect(columns[3].campaigns.map((c) => c.id)).toEqual(['g']);
		expect(columns[2].campaigns.map((c) => c.id)).toEqual(['f']);
	});
});

describe('availableActions', () => {
	const actions = (c: Partial<Campaign>) => availableActions(campaign(c)).map((a) => a.action);

	it('follows planned -> active -> completed, archiving only planned or completed ones', () => {
		expect(actions({ status: 'planned' })).toEqual(['activate', 'archive']);
		expect(actions({ status: 'active' })).toEqual(['complete']);
		expect(actions({ status: 'completed' })).toEqual(['archive']);
		expect(actions({ status: 'completed', archived: true })).toEqual([]);
	});

	it('labels the status, saying when it is archived', () => {
		expect(statusLabel(campaign({ status: 'active' }))).toBe('Active');
		expect(statusLabel(campaign({ status: 'planned', archived: true }))).toBe('Planned, archived');
	});
});

describe('chips', () => {
	it('adds trimmed words, several at once, without case-insensitive duplicates or blanks', () => {
		expect(addChips(['Spring'], ' bloom , spring,, Garden\nbloom ')).toEqual(['Spring', 'bloom', 'Garden']);
		expect(addChips([], '   ')).toEqual([]);
	});

	it('makes hashtags with one leading #', () => {
		expect(addChips(['#launch'], 'launch, ##Spring Sale, #', hashtag)).toEqual(['#launch', '#SpringSale']);
		expect(hashtag('  ')).toBe('');
	});

	it('finds words both wanted and banned, ignoring case', () => {
		expect(clashes(['Fresh', 'bloom'], ['fresh', 'cheap'])).toEqual(['fresh']);
		expect(clashes(['a'], [])).toEqual([]);
	});
});

describe('UTM defaults', () => {
	it('shows the five keys, filled or blank, and sends only the filled ones, trimmed', () => {
		const form = utmForm({ utm_source: 'mastodon' });
		expect(Object.keys(form)).toEqual(['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']);
		form.utm_medium = '  social ';
		form.utm_term = '   ';
		expect(utmBody(form)).toEqual({ utm_source: 'mastodon', utm_medium: 'social' });
	});
});

describe('the edit form', () => {
	it('round-trips a campaign into a PATCH body, blank dates cleared', () => {
		const form = campaignForm(campaign());
		form.ends_on = '';
		form.brand_voice.keywords.push('bloom');
		expect(patchBody(form)).toEqual({
			name: 'Spring',
			objective: 'Sign-ups',
			starts_on: '2026-03-01',
			ends_on: null,
			brand_voice: {
				tone: 'warm',
				audience: '',
				keywords: ['fresh', 'bloom'],
				banned_words: [],
				default_hashtags: ['#spring']
			},
			utm_defaults: { utm_source: 'social' }
		});
	});

	it('does not share lists with the loaded campaign', () => {
		const loaded = campaign();
		campaignForm(loaded).brand_voice.keywords.push('x');
		expect(loaded.brand_voice.keywords).toEqual(['fresh']);
	});
});

describe('errors', () => {
	it('maps the server fields to the inputs that show them', () => {
		expect(inputFor('brand_voice.banned_words')).toBe('banned_words');
		expect(inputFor('brand_voice.keywords.2')).toBe('keywords');
		expect(inputFor('utm_defaults.utm_source')).toBe('utm_source');
		expect(inputFor('ends_on')).toBe('ends_on');
		const err = new ApiError({
			type: 'validation',
			title: 'The request is invalid',
			status: 422,
			errors: [
				{ field: 'brand_voice.banned_words', message: "'fresh' is both a keyword and banned" },
				{ field: 'body.name', message: 'must be 1 to 120 characters' }
			]
		});
		expect(errorsByInput(err)).toEqual({
			banned_words: ["'fresh' is both a keyword and banned"],
			name: ['must be 1 to 120 characters']
		});
	});

	it('tells a lost update from other conflicts', () => {
		const problem = { type: 'concurrent-modification', title: 'Changed by someone else', status: 409 };
		expect(isConflict(new ApiError({ ...problem, rule: 'concurrent_modification' }))).toBe(true);
		expect(isConflict(new ApiError({ ...problem, rule: 'campaign_archived' }))).toBe(false);
		expect(isConflict(new Error('x'))).toBe(false);
	});
});

describe('times and dates', () => {
	it('shows calendar dates as they are, whatever the zone', () => {
		expect(dateRange('2026-03-01', '2026-03-31', 'en-GB')).toBe('1 Mar 2026 – 31 Mar 2026');
		expect(dateRange('2026-03-01', null, 'en-GB')).toBe('From 1 Mar 2026');
		expect(dateRange(null, '2026-03-31', 'en-GB')).toBe('Until 31 Mar 2026');
		expect(dateRange(null, null)).toBe('No dates');
	});
});

describe('campaign requests', () => {
	afterEach(() => vi.unstubAllGlobals());

	function stub(body: unknown, status = 200) {
		const fetch = vi.fn(async (_request: Request) =>
			new Response(JSON.stringify(body), {
				status,
				headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json' }
			})
		);
		vi.stubGlobal('fetch', fetch);
		return fetch;
	}

	it('sends the loaded version as If-Match when saving', async () => {
		const fetch = stub(campaign({ version: 4 }));
		await updateCampaign('w1', 'c1', 3, { name: 'Spring' });
		const request = fetch.mock.calls[0][0];
		expect(request.method).toBe('PATCH');
		expect(new URL(request.url).pathname).toBe('/api/workspaces/w1/campaigns/c1');
		expect(request.headers.get('If-Match')).toBe('"3"');
	});

	it('answers a lost update as a conflict', async () => {
		stub({ type: 'concurrent-modification', title: 'Changed by someone else', status: 409, detail: 'x', rule: 'concurrent_modification' }, 409);
		const err = await updateCampaign('w1', 'c1', 3, {}).catch((e) => e);
		expect(isConflict(err)).toBe(true);
	});

	it('posts each status action to its route', async () => {
		const fetch = stub(campaign({ status: 'active' }));
		await changeCampaignStatus('w1', 'c1', 'activate');
		await changeCampaignStatus('w1', 'c1', 'complete');
		await changeCampaignStatus('w1', 'c1', 'archive');
		expect(fetch.mock.calls.map(([r]) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
			'POST /api/workspaces/w1/campaigns/c1/activate',
			'POST /api/workspaces/w1/campaigns/c1/complete',
			'POST /api/workspaces/w1/campaigns/c1/archive'
		]);
	});
});
