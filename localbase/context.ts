// What every service handler receives from the server: the settings, the database and the mail
// catcher's store (Auth hands it the messages it sends). Its own
// module, so that the server imports the services and no service imports the server.
import type { AnyDb } from '../db/open.ts';
import type { LocalbaseConfig } from './config.ts';
import type { MailStore } from './mail/index.ts';

export interface LocalbaseContext {
	config: LocalbaseConfig;
	db: AnyDb;
	mail: MailStore;
}
