// Private-channel authorization exactly as Realtime checks it: read = probe rows inserted by the
// server and selected back as the user; write = the user inserts a probe (42501 means denied).
// Clients write only presence: every broadcast comes from the database.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	conversationIds as conv,
	createActors,
	ids,
	inTransaction,
	realtimeCanRead,
	realtimeCanWrite,
	type Actor,
	type ActorTx,
	type Actors
} from './actors.ts';

let t: TestDatabase;
let a: Actors;

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
});
afterAll(async () => {
	await t?.release();
});

const coachAlexTopic = `conversation:${conv.coachAlex}`;
const coachSamTopic = `conversation:${conv.coachSam}`;
const alexInbox = `user:${ids.alex}`;
const nobody = { broadcast: false, presence: false };
const everything = { broadcast: true, presence: true };
const presenceOnly = { broadcast: false, presence: true };

const read = (actor: Actor, topic: string, setup?: (x: ActorTx) => Promise<unknown>) =>
	realtimeCanRead(t.db, actor, topic, setup);
const write = (actor: Actor, topic: string, setup?: (x: ActorTx) => Promise<unknown>) =>
	realtimeCanWrite(t.db, actor, topic, setup);

/** Unlinks sam from coach as the dashboard would, which archives coach ↔ sam. */
const unlinkSam = (x: ActorTx) =>
	x.query(`update public.profiles set trainer_id = null where id = $1`, [ids.sam]);

const garbageTopics = [
	'',
	'conversation:',
	'conversation:not-a-uuid',
	`CONVERSATION:${conv.coachAlex}`,
	`conversation:${conv.coachAlex}x`,
	`conversation:${conv.coachAlex}:typing`,
	` conversation:${conv.coachAlex}`,
	`realtime:conversation:${conv.coachAlex}`,
	'conversation:00000000-0000-4000-8000-000000000000',
	`conversation:${ids.alex}`,
	`User:${ids.alex}`,
	`user:${ids.alex} `,
	'user:',
	'user:*',
	`conversation:${conv.coachAlex}' or '1'='1`
];

describe('as coach', () => {
	test('can receive broadcast and presence on their conversation with alex, and write presence only', async () => {
		expect(await read(a.coach, coachAlexTopic)).toEqual(everything);
		expect(await write(a.coach, coachAlexTopic)).toEqual(presenceOnly);
	});
	test('is refused a broadcast insert on their own conversation topic outright (42501): no client broadcasts', async () => {
		const refused = await inTransaction(t.db, async (x) => {
			await x.become(a.coach, { 'realtime.topic': coachAlexTopic });
			return x.errorCode(
				`insert into realtime.messages (topic, extension, event, payload, private)
				 values ($1, 'broadcast', 'message_created', '{"message": {"body": "forged"}}', true)`,
				[coachAlexTopic]
			);
		});
		expect(refused).toBe('42501');
	});
	test('can receive only broadcasts, never presence, on their own inbox topic, and cannot send there', async () => {
		expect(await read(a.coach, `user:${ids.coach}`)).toEqual({ broadcast: true, presence: false });
		expect(await write(a.coach, `user:${ids.coach}`)).toEqual(nobody);
	});
	test('cannot receive or send on alex’s inbox topic', async () => {
		expect(await read(a.coach, alexInbox)).toEqual(nobody);
		expect(await write(a.coach, alexInbox)).toEqual(nobody);
	});
	test('cannot use rival ↔ jordan’s topic', async () => {
		expect(await read(a.coach, `conversation:${conv.rivalJordan}`)).toEqual(nobody);
		expect(await write(a.coach, `conversation:${conv.rivalJordan}`)).toEqual(nobody);
	});
	test('loses the conversation topic with sam as soon as sam is unlinked (archived)', async () => {
		expect(await read(a.coach, coachSamTopic)).toEqual(everything);
		expect(await read(a.coach, coachSamTopic, unlinkSam)).toEqual(nobody);
		expect(await write(a.coach, coachSamTopic, unlinkSam)).toEqual(nobody);
	});
	test('is refused every malformed or foreign topic', async () => {
		for (const topic of garbageTopics) {
			expect({ topic, read: await read(a.coach, topic), write: await write(a.coach, topic) }).toEqual({
				topic,
				read: nobody,
				write: nobody
			});
		}
	});
});

describe('as alex', () => {
	test('can receive broadcast and presence on their conversation with coach, and write presence only', async () => {
		expect(await read(a.alex, coachAlexTopic)).toEqual(everything);
		expect(await write(a.alex, coachAlexTopic)).toEqual(presenceOnly);
	});
	test('can receive broadcasts on their own inbox topic but not send there', async () => {
		expect(await read(a.alex, alexInbox)).toEqual({ broadcast: true, presence: false });
		expect(await write(a.alex, alexInbox)).toEqual(nobody);
	});
	test('cannot use coach ↔ sam’s topic or sam’s inbox', async () => {
		expect(await read(a.alex, coachSamTopic)).toEqual(nobody);
		expect(await write(a.alex, coachSamTopic)).toEqual(nobody);
		expect(await read(a.alex, `user:${ids.sam}`)).toEqual(nobody);
	});
	test('is refused every malformed or foreign topic', async () => {
		for (const topic of garbageTopics) {
			expect({ topic, read: await read(a.alex, topic), write: await write(a.alex, topic) }).toEqual({
				topic,
				read: nobody,
				write: nobody
			});
		}
	});
});

describe('as sam, rival, jordan and solo (not part of coach ↔ alex)', () => {
	for (const name of ['sam', 'rival', 'jordan', 'solo'] as const) {
		test(`${name} can neither receive nor send on coach ↔ alex, nor receive alex’s inbox`, async () => {
			expect(await read(a[name], coachAlexTopic)).toEqual(nobody);
			expect(await write(a[name], coachAlexTopic)).toEqual(nobody);
			expect(await read(a[name], alexInbox)).toEqual(nobody);
			expect(await write(a[name], alexInbox)).toEqual(nobody);
		});
	}
	test('sam can no longer use coach ↔ sam once unlinked, although the history stays readable', async () => {
		expect(await read(a.sam, coachSamTopic)).toEqual(everything);
		expect(await read(a.sam, coachSamTopic, unlinkSam)).toEqual(nobody);
		expect(await write(a.sam, coachSamTopic, unlinkSam)).toEqual(nobody);
	});
});

describe('as anon', () => {
	test('can neither receive nor send on any private topic', async () => {
		for (const topic of [coachAlexTopic, alexInbox, coachSamTopic, ...garbageTopics]) {
			expect({ topic, read: await read(a.anon, topic), write: await write(a.anon, topic) }).toEqual({
				topic,
				read: nobody,
				write: nobody
			});
		}
	});
});

describe('as the dashboard impersonating alex', () => {
	test('can receive what alex receives', async () => {
		expect(await read(a.impersonation, coachAlexTopic)).toEqual(everything);
		expect(await read(a.impersonation, alexInbox)).toEqual({ broadcast: true, presence: false });
	});
	test('cannot broadcast or track presence as alex on their conversation (impersonation is read-only)', async () => {
		expect(await write(a.impersonation, coachAlexTopic)).toEqual(nobody);
	});
});

describe('as service_role', () => {
	test('bypasses RLS: every probe is visible and insertable, which is why Realtime skips its checks', async () => {
		expect(await read(a.service_role, coachAlexTopic)).toEqual(everything);
		expect(await write(a.service_role, alexInbox)).toEqual(everything);
	});
});

describe('archived conversations', () => {
	test('nobody can use the topic of a conversation archived because a user was deleted', async () => {
		const deleteSam = (x: ActorTx) => x.query(`delete from auth.users where id = $1`, [ids.sam]);
		expect(await read(a.coach, coachSamTopic, deleteSam)).toEqual(nobody);
		expect(await write(a.coach, coachSamTopic, deleteSam)).toEqual(nobody);
	});
	test('the topic works again once the same pair is linked again', async () => {
		const relink = async (x: ActorTx) => {
			await unlinkSam(x);
			await x.query(`update public.profiles set trainer_id = $1 where id = $2`, [ids.coach, ids.sam]);
		};
		expect(await read(a.sam, coachSamTopic, relink)).toEqual(everything);
		expect(await write(a.sam, coachSamTopic, relink)).toEqual(presenceOnly);
	});
});

describe('access_changed: the database says who may use a conversation topic changed', () => {
	/** The access_changed broadcasts the statements in `change` made, read back before rolling back. */
	const announced = (change: (x: ActorTx) => Promise<unknown>) =>
		inTransaction(t.db, async (x) => {
			await change(x);
			await x.becomePostgres();
			return x.query<{ topic: string; private: boolean; payload: Record<string, unknown> }>(
				`select topic, private, payload from realtime.messages where event = 'access_changed' order by inserted_at`
			);
		});

	test('archiving a conversation (the trainee unlinked) announces it on the conversation topic, privately', async () => {
		const rows = await announced(unlinkSam);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({
			topic: coachSamTopic,
			private: true,
			payload: { conversation_id: conv.coachSam, archived_reason: 'unlinked' }
		});
		expect(rows[0].payload.archived_at).not.toBeNull();
	});

	test('restoring it and deleting a participant are announced too', async () => {
		const relink = async (x: ActorTx) => {
			await unlinkSam(x);
			await x.query(`update public.profiles set trainer_id = $1 where id = $2`, [ids.coach, ids.sam]);
		};
		const restored = await announced(relink);
		expect(restored.map((r) => r.payload.archived_reason)).toEqual(['unlinked', null]);
		const deleted = await announced((x) => x.query(`delete from auth.users where id = $1`, [ids.alex]));
		expect(deleted.map((r) => r.topic)).toContain(coachAlexTopic);
	});

	test('a new message, a read receipt or a rename announces nothing', async () => {
		const rows = await announced(async (x) => {
			await x.become(a.alex);
			await x.query('select public.send_message($1, $2, $3)', [ids.coach, 'hello', randomUUID()]);
			await x.become(a.coach);
			await x.query('select public.mark_conversation_read($1)', [conv.coachAlex]);
			await x.query(`update public.profiles set display_name = 'Coach C' where id = $1`, [ids.coach]);
		});
		expect(rows).toEqual([]);
	});

	test('no API role can run the trigger function that announces it', async () => {
		for (const actor of [a.alex, a.anon, a.service_role]) {
			const code = await as(t.db, actor, (x) =>
				x.errorCode('select private.handle_conversation_access_broadcast()')
			);
			expect(code).toBe('42501');
		}
	});
});
