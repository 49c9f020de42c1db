// What every service handler receives from the server: the settings and the database. Its own
// module, so that the server imports the services and no service imports the server.
import type { AnyDb } from '../db/open.ts';
import type { LocalbaseConfig } from './config.ts';

export interface LocalbaseContext {
	config: LocalbaseConfig;
	db: AnyDb;
}
