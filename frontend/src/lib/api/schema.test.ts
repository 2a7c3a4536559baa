// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateSchema, OPENAPI_JSON, SCHEMA_TS } from '../../../scripts/api-types.js';

describe('generated API types', () => {
	it('schema.d.ts is what openapi-typescript makes of the committed openapi.json', async () => {
		const expected = await generateSchema(await readFile(OPENAPI_JSON, 'utf8'));
		const committed = await readFile(SCHEMA_TS, 'utf8');
		// Not toBe(): a mismatch should print the fix, not a 3000-line diff.
		if (committed !== expected) {
			expect.fail('src/lib/api/schema.d.ts is out of date with openapi.json: run `make api-types` at the repository root');
		}
	});
});
