// Part of `npm run check`: fails when src/lib/database.types.ts is not what the migrations generate.
import { readFile } from 'node:fs/promises';
import { freshTypes, typesPath } from './supabase-cli.ts';

const [committed, fresh] = await Promise.all([readFile(typesPath, 'utf8').catch(() => ''), freshTypes()]);
if (committed !== fresh) {
	console.error(`${typesPath} is stale: run \`npm run db:types\` and commit the result.`);
	process.exit(1);
}
console.log('database types are up to date');
