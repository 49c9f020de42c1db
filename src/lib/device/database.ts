// The IndexedDB database this device keeps for Spotter ("spotter", version 2): the store
// `outbox` (outbox.ts), the store `last-seen` (last-seen.ts) and, from version 2, `outbox-files`
// (the prepared files of unsent messages, outbox.ts). Its name, versions and stores are what
// devices already hold: change them only with an upgrade step that keeps pending messages.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { OutboxFile, OutboxRecord } from './outbox';

export type LastSeenKey = [userId: string, kind: string, id: string];

export interface SpotterDb extends DBSchema {
	outbox: { key: string; value: OutboxRecord; indexes: { 'by-thread': [string, string] } };
	'last-seen': { key: LastSeenKey; value: unknown };
	/** Keyed by the object key (`<user>/<message>/<name>`), which is unique per file. */
	'outbox-files': { key: string; value: OutboxFile; indexes: { 'by-message': string } };
}

const NAME = 'spotter';
let opening: Promise<IDBPDatabase<SpotterDb>> | undefined;

/**
 * A plain copy of what is about to be stored. IndexedDB clones what it stores, and the app's live
 * state is made of Svelte `$state` proxies, which cannot be cloned (DataCloneError): every write
 * goes through this. Stored values are JSON data (rows, errors, strings), so a JSON copy is exact.
 */
export function plain<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

/** Whether this browser has IndexedDB at all (not during server rendering, not in some webviews). */
export function available(): boolean {
	return typeof indexedDB !== 'undefined';
}

/** The connection once open, for a write that should be asked for without waiting a turn. */
let opened: IDBPDatabase<SpotterDb> | undefined;

/** The open connection, if it is open already (see `open`). */
export function openNow(): IDBPDatabase<SpotterDb> | undefined {
	return opened;
}

export function open(): Promise<IDBPDatabase<SpotterDb>> {
	if (opening) return opening;
	opening = openDB<SpotterDb>(NAME, 2, {
		upgrade(database) {
			// Only adds what is missing: a device on version 1 keeps its outbox and last-seen copies.
			// By store rather than by version, so an empty database someone opened without a
			// version (a devtools console, a test) still gets every store.
			const has = (name: 'outbox' | 'last-seen' | 'outbox-files') => database.objectStoreNames.contains(name);
			if (!has('outbox')) {
				const outbox = database.createObjectStore('outbox', { keyPath: 'id' });
				outbox.createIndex('by-thread', ['userId', 'thread']);
			}
			if (!has('last-seen')) database.createObjectStore('last-seen');
			if (!has('outbox-files')) {
				const files = database.createObjectStore('outbox-files', { keyPath: 'path' });
				files.createIndex('by-message', 'messageId');
			}
		},
		blocking() {
			// A newer version of the app wants to upgrade the database: let it.
			void opening?.then((d) => d.close());
			opening = undefined;
			opened = undefined;
		}
	});
	const current = opening;
	void current.then(
		(db) => {
			if (opening === current) opened = db;
		},
		// The caller of open() sees the failure.
		() => undefined
	);
	return current;
}

/** For tests: closes the connection so the database can be deleted. */
export async function close(): Promise<void> {
	const open = opening;
	opening = undefined;
	opened = undefined;
	if (open) (await open).close();
}

/** For tests: closes the connection and deletes the database. */
export async function destroy(): Promise<void> {
	await close();
	await new Promise<void>((resolve, reject) => {
		const request = indexedDB.deleteDatabase(NAME);
		request.onsuccess = () => resolve();
		request.onerror = () => reject(request.error);
	});
}
