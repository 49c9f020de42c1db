// The generated database types (src/lib/database.types.ts) are what the Supabase CLI generates
// from the migrations, and the freshness check notices when they are not.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../localbase/config.ts';
import { dbPush, genTypes, typesPath, withScratchDatabase } from '../../scripts/supabase-cli.ts';

const run = promisify(execFile);

describe('generated database types', () => {
	it('match what the migrations generate (src/lib/database.types.ts is current)', async () => {
		const generated = await withScratchDatabase(async (url) => {
			await dbPush(url);
			return genTypes(url);
		});
		expect(generated).toContain('send_message');
		expect(await readFile(typesPath, 'utf8')).toBe(generated);
	});

	it('make the freshness check fail when the committed file is stale', async () => {
		const stale = path.join(await mkdtemp(path.join(tmpdir(), 'spotter-types-')), 'database.types.ts');
		await writeFile(stale, (await readFile(typesPath, 'utf8')).replace('send_message', 'send_a_message'));
		const check = run(
			path.join(projectRoot, 'node_modules', '.bin', 'tsx'),
			['scripts/check-types-fresh.ts'],
			{
				cwd: projectRoot,
				env: { ...process.env, SPOTTER_TYPES_PATH: stale }
			}
		);
		await expect(check).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('is stale') });
	});
});
