// `npm run db:types`: regenerate src/lib/database.types.ts with the Supabase CLI.
import { writeFile } from 'node:fs/promises';
import { freshTypes, typesPath } from './supabase-cli.ts';

await writeFile(typesPath, await freshTypes());
console.log(`wrote ${typesPath}`);
