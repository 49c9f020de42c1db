// What every service handler receives from the server: the settings, the database, the mail
// catcher's store (Auth hands it the messages it sends), and the few things one service tells
// another. Its own module, so that the server imports the services and no service imports the
// server (or another service).
import type { AnyDb } from '../db/open.ts';
import type { LocalbaseConfig } from './config.ts';
import type { MailStore } from './mail/index.ts';

export interface LocalbaseContext {
	config: LocalbaseConfig;
	db: AnyDb;
	mail: MailStore;
	/**
	 * Auth calls this after committing a change that ended sessions of `userId` (sign-out of any
	 * scope, a password change, the user's deletion). Realtime then closes at once the channels and
	 * sockets whose session is gone, instead of at their next token check.
	 */
	sessionsEnded(userId: string): void;
}
