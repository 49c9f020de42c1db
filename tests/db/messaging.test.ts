// send_message and mark_conversation_read: every refusal with its own SQLSTATE,
// server-kept order and time, immutability, and what each write emits (realtime rows, push outbox).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
	as,
	conversationIds as conv,
	createActors,
	createUser,
	ids,
	inTransaction,
	seededMessageId,
	type Actor,
	type ActorTx,
	type Actors,
	type Outcome,
	unreadTotalMismatches
} from './actors.ts';

let t: TestDatabase;
let a: Actors;

/**
 * Blank characters, exactly the set the database and the app's composer share: Unicode White_Space,
 * format characters (Cf) and the invisible fillers. Ranges of code points, both ends included.
 */
const blank: Record<'whiteSpace' | 'format' | 'fillers', [number, number][]> = {
	whiteSpace: [
		[0x09, 0x0d],
		[0x20, 0x20],
		[0x85, 0x85],
		[0xa0, 0xa0],
		[0x1680, 0x1680],
		[0x2000, 0x200a],
		[0x2028, 0x2029],
		[0x202f, 0x202f],
		[0x205f, 0x205f],
		[0x3000, 0x3000]
	],
	format: [
		[0xad, 0xad],
		[0x600, 0x605],
		[0x61c, 0x61c],
		[0x6dd, 0x6dd],
		[0x70f, 0x70f],
		[0x890, 0x891],
		[0x8e2, 0x8e2],
		[0x180e, 0x180e],
		[0x200b, 0x200f],
		[0x202a, 0x202e],
		[0x2060, 0x2064],
		[0x2066, 0x206f],
		[0xfeff, 0xfeff],
		[0xfff9, 0xfffb],
		[0x110bd, 0x110bd],
		[0x110cd, 0x110cd],
		[0x13430, 0x1343f],
		[0x1bca0, 0x1bca3],
		[0x1d173, 0x1d17a],
		[0xe0001, 0xe0001],
		[0xe0020, 0xe007f]
	],
	fillers: [
		[0x115f, 0x1160],
		[0x3164, 0x3164],
		[0xffa0, 0xffa0],
		[0x2800, 0x2800]
	]
};
const codePoints = (ranges: [number, number][]) =>
	ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
const allBlank = Object.values(blank).flatMap(codePoints);
const isBlankCodePoint = (cp: number) => allBlank.includes(cp);
/** The code point just outside each range (not itself blank): the set is exact, not a superset. */
const neighbours = [
	...new Set(Object.values(blank).flatMap((ranges) => ranges.flatMap(([from, to]) => [from - 1, to + 1])))
].filter((cp) => !isBlankCodePoint(cp));

beforeAll(async () => {
	t = await createTestDatabase('seeded');
	a = await createActors(t.db);
});
afterAll(async () => {
	await t?.release();
});

interface Message {
	id: string;
	conversation_id: string;
	seq: number;
	sender_id: string | null;
	body: string;
	created_at: Date;
	read_at: Date | null;
}
interface Conversation {
	id: string;
	trainer_id: string | null;
	trainee_id: string | null;
	last_message_id: string | null;
	last_message_at: Date | null;
	last_message_preview: string | null;
	last_message_sender_id: string | null;
	last_message_seq: number;
	trainer_unread_count: number;
	trainee_unread_count: number;
	archived_at: Date | null;
	archived_reason: string | null;
}
interface RealtimeRow {
	topic: string;
	event: string;
	extension: string;
	private: boolean;
	payload: Record<string, unknown>;
}

const send = (x: ActorTx, to: string | null, body: string | null, id: string | null = randomUUID()) =>
	x.attempt<Message>(`select * from public.send_message($1, $2, $3)`, [to, body, id]);
const code = (r: Outcome<unknown>) => (r.ok ? 'ok' : r.error.code);
const sent = (r: Outcome<Message>): Message => {
	if (!r.ok) throw new Error(`send failed: ${r.error.code} ${r.error.message}`);
	return r.rows[0];
};
/** The conversation row as the server sees it (RLS off), then back to the actor. */
async function conversationOf(x: ActorTx, id: string, actor: Actor): Promise<Conversation> {
	await x.becomePostgres();
	const row = await x.one<Conversation>(`select * from public.conversations where id = $1`, [id]);
	await x.become(actor);
	return row;
}
/** Forgets realtime rows and outbox entries so far (seed, setup), within the rolled-back test. */
async function clearEvents(x: ActorTx, actor: Actor) {
	await x.becomePostgres();
	await x.query(`delete from realtime.messages`);
	await x.query(`delete from private.push_outbox`);
	await x.become(actor);
}
async function eventsSince(x: ActorTx, actor: Actor): Promise<RealtimeRow[]> {
	await x.becomePostgres();
	const rows = await x.query<RealtimeRow>(
		`select topic, event, extension, private, payload from realtime.messages order by inserted_at, event, topic`
	);
	await x.become(actor);
	return rows;
}

describe('a trainer (coach) sending', () => {
	test('stores the message with server time, the next seq and no read time, and returns it', async () => {
		await as(t.db, a.coach, async (x) => {
			const [{ before }] = await x.query<{ before: Date }>(`select clock_timestamp() as before`);
			const m = sent(await send(x, ids.alex, 'Nice work today'));
			const [{ after }] = await x.query<{ after: Date }>(`select clock_timestamp() as after`);
			expect(m).toMatchObject({
				conversation_id: conv.coachAlex,
				seq: 81,
				sender_id: ids.coach,
				body: 'Nice work today',
				read_at: null
			});
			expect(m.created_at.getTime()).toBeGreaterThanOrEqual(before.getTime());
			expect(m.created_at.getTime()).toBeLessThanOrEqual(after.getTime());
		});
	});

	test('keeps the conversation aggregates: last message, preview, seq and the recipient’s unread count', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = sent(await send(x, ids.alex, '  Line one\n\n   line two  '));
			expect(m.body).toBe('Line one\n\n   line two');
			const c = await conversationOf(x, conv.coachAlex, a.coach);
			expect(c).toMatchObject({
				last_message_id: m.id,
				last_message_preview: 'Line one line two',
				last_message_sender_id: ids.coach,
				last_message_seq: 81,
				trainer_unread_count: 1,
				trainee_unread_count: 2
			});
			expect(c.last_message_at).toEqual(m.created_at);
		});
	});

	test('cuts the preview at 140 characters', async () => {
		await as(t.db, a.coach, async (x) => {
			sent(await send(x, ids.alex, 'a'.repeat(300)));
			const c = await conversationOf(x, conv.coachAlex, a.coach);
			expect(c.last_message_preview).toBe('a'.repeat(140));
		});
	});

	test('accepts exactly 2000 characters, counted as characters not bytes or UTF-16 units', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(sent(await send(x, ids.alex, 'x'.repeat(2000))).body).toHaveLength(2000);
			expect([...sent(await send(x, ids.alex, '💪'.repeat(2000))).body]).toHaveLength(2000);
			expect(sent(await send(x, ids.alex, `  \n${'y'.repeat(2000)}\n  `)).body).toBe('y'.repeat(2000));
		});
	});

	test('refuses 2001 characters as too long (SP004)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(code(await send(x, ids.alex, 'x'.repeat(2001)))).toBe('SP004');
			expect(code(await send(x, ids.alex, '💪'.repeat(2001)))).toBe('SP004');
		});
	});

	test('refuses an empty or whitespace-only message (SP003)', async () => {
		await as(t.db, a.coach, async (x) => {
			for (const body of ['', ' ', '   \n\t ', '\r\n', '\u00a0\u00a0', null]) {
				expect({ body, code: code(await send(x, ids.alex, body)) }).toEqual({ body, code: 'SP003' });
			}
			expect(code(await send(x, ids.alex, ' '.repeat(2001)))).toBe('SP003');
		});
	});

	test('refuses a body made only of blank characters of every kind: White_Space, format characters, invisible fillers (SP003)', async () => {
		await as(t.db, a.coach, async (x) => {
			for (const [kind, ranges] of Object.entries(blank)) {
				const body = String.fromCodePoint(...codePoints(ranges));
				expect({ kind, code: code(await send(x, ids.alex, body)) }).toEqual({ kind, code: 'SP003' });
			}
			for (const body of [
				'\u3000\u3000',
				'\u2003',
				'\u200b\u200c\u200d',
				'\ufeff',
				'\u180e',
				'\u3164',
				'\u2800'
			]) {
				expect({ body, code: code(await send(x, ids.alex, body)) }).toEqual({ body, code: 'SP003' });
			}
		});
	});

	test('trims blank characters of every kind from both ends and keeps them inside (an emoji’s zero-width joiner)', async () => {
		await as(t.db, a.coach, async (x) => {
			const edge = String.fromCodePoint(...allBlank);
			const family = '👨\u200d👩\u200d👧';
			expect(sent(await send(x, ids.alex, `${edge}${family} and\u3000you${edge}`)).body).toBe(
				`${family} and\u3000you`
			);
		});
	});

	test('refuses a direct insert of a blank body too (SP003)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(
				await x.errorCode(`insert into public.messages (conversation_id, body) values ($1, '  ')`, [
					conv.coachAlex
				])
			).toBe('SP003');
		});
	});

	test('refuses someone who is not their trainee (SP001): another trainer’s trainee, a trainer, a loner, themselves, nobody', async () => {
		await as(t.db, a.coach, async (x) => {
			for (const to of [ids.jordan, ids.rival, ids.solo, ids.coach, randomUUID()]) {
				expect({ to, code: code(await send(x, to, 'hi')) }).toEqual({ to, code: 'SP001' });
			}
		});
	});

	test('refuses a call without recipient or message id (SP009)', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(code(await send(x, null, 'hi'))).toBe('SP009');
			expect(code(await send(x, ids.alex, 'hi', null))).toBe('SP009');
		});
	});

	test('may send 30 messages in a minute, over several conversations, and is refused the 31st (SP005)', async () => {
		await as(t.db, a.coach, async (x) => {
			for (let i = 0; i < 30; i++) {
				expect(code(await send(x, i % 2 ? ids.alex : ids.sam, `message ${i}`))).toBe('ok');
			}
			const refused = await send(x, ids.alex, 'one too many');
			expect(code(refused)).toBe('SP005');
			expect(refused.error?.message).toMatch(/30 messages per minute/);
			expect(code(await send(x, ids.sam, 'still too many'))).toBe('SP005');
			expect(
				await x.errorCode(`insert into public.messages (conversation_id, body) values ($1, 'direct')`, [
					conv.coachAlex
				])
			).toBe('SP005');
		});
	});

	test('is not limited by messages older than a minute', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(
				`insert into public.messages (conversation_id, sender_id, body, created_at)
				 select $1, $2, 'old ' || n, clock_timestamp() - interval '61 seconds' from generate_series(1, 40) n`,
				[conv.coachSam, ids.coach]
			);
			await x.become(a.coach);
			expect(code(await send(x, ids.alex, 'fresh minute'))).toBe('ok');
		});
	});

	test('a retry with the same message id returns the identical row and stores nothing new', async () => {
		await as(t.db, a.coach, async (x) => {
			await clearEvents(x, a.coach);
			const id = randomUUID();
			const first = sent(await send(x, ids.alex, 'Once only', id));
			const retry = sent(await send(x, ids.alex, 'Once only', id));
			const retryOtherBody = sent(await send(x, ids.alex, 'changed on the device', id));
			expect(retry).toEqual(first);
			expect(retryOtherBody).toEqual(first);
			const c = await conversationOf(x, conv.coachAlex, a.coach);
			expect([c.last_message_seq, c.trainee_unread_count]).toEqual([81, 2]);
			await x.becomePostgres();
			const [{ n }] = await x.query<{ n: number }>(
				`select count(*)::int as n from public.messages where id = $1`,
				[id]
			);
			const [{ pushes }] = await x.query<{ pushes: number }>(
				`select count(*)::int as pushes from private.push_outbox`
			);
			const [{ created }] = await x.query<{ created: number }>(
				`select count(*)::int as created from realtime.messages where event = 'message_created'`
			);
			expect({ n, pushes, created }).toEqual({ n: 1, pushes: 1, created: 1 });
		});
	});

	test('refuses a message id already used by someone else or for another conversation (SP007)', async () => {
		await inTransaction(t.db, async (x) => {
			const id = randomUUID();
			await x.become(a.alex);
			sent(await send(x, ids.coach, 'mine', id));
			await x.become(a.coach);
			expect(code(await send(x, ids.alex, 'stolen id', id))).toBe('SP007');
			expect(code(await send(x, ids.alex, 'alex’s seeded id', seededMessageId(4)))).toBe('SP007');
			const own = randomUUID();
			sent(await send(x, ids.alex, 'to alex', own));
			expect(code(await send(x, ids.sam, 'same id to sam', own))).toBe('SP007');
		});
	});

	test('cannot choose created_at, seq, read_at or sender on a direct insert', async () => {
		await as(t.db, a.coach, async (x) => {
			const base = `insert into public.messages (conversation_id, body`;
			expect(await x.errorCode(`${base}, created_at) values ($1, 'x', '2000-01-01')`, [conv.coachAlex])).toBe(
				'42501'
			);
			expect(await x.errorCode(`${base}, seq) values ($1, 'x', 1)`, [conv.coachAlex])).toBe('42501');
			expect(await x.errorCode(`${base}, read_at) values ($1, 'x', now())`, [conv.coachAlex])).toBe('42501');
			expect(await x.errorCode(`${base}, sender_id) values ($1, 'x', $2)`, [conv.coachAlex, ids.alex])).toBe(
				'42501'
			);
			const [m] = await x.query<Message>(`${base}) values ($1, '  direct  ') returning *`, [conv.coachAlex]);
			expect(m).toMatchObject({ seq: 81, sender_id: ids.coach, body: 'direct', read_at: null });
		});
	});

	test('numbers messages 1, 2, 3… per conversation with created_at never going backwards', async () => {
		await as(t.db, a.coach, async (x) => {
			const seqs: number[] = [];
			const times: number[] = [];
			for (let i = 0; i < 5; i++) {
				const m = sent(await send(x, i % 2 ? ids.sam : ids.alex, `n${i}`));
				seqs.push(m.seq);
				times.push(m.created_at.getTime());
			}
			expect(seqs).toEqual([81, 3, 82, 4, 83]);
			expect([...times].sort((p, q) => p - q)).toEqual(times);
		});
	});
});

describe('a trainee (alex) sending', () => {
	test('reaches their trainer in the existing conversation', async () => {
		await as(t.db, a.alex, async (x) => {
			const m = sent(await send(x, ids.coach, 'On my way'));
			expect(m).toMatchObject({ conversation_id: conv.coachAlex, seq: 81, sender_id: ids.alex });
			const c = await conversationOf(x, conv.coachAlex, a.alex);
			expect([c.trainer_unread_count, c.trainee_unread_count]).toEqual([2, 1]);
		});
	});

	test('refuses anyone but their own trainer (SP001)', async () => {
		await as(t.db, a.alex, async (x) => {
			for (const to of [ids.rival, ids.sam, ids.jordan, ids.solo, ids.alex]) {
				expect({ to, code: code(await send(x, to, 'hi')) }).toEqual({ to, code: 'SP001' });
			}
		});
	});
});

describe('users with no link (solo, jordan towards coach)', () => {
	test('solo, who has no trainer, cannot message any trainer (SP001)', async () => {
		await as(t.db, a.solo, async (x) => {
			expect(code(await send(x, ids.coach, 'hello?'))).toBe('SP001');
			expect(code(await send(x, ids.rival, 'hello?'))).toBe('SP001');
		});
	});
	test('jordan cannot message coach, who is not their trainer (SP001)', async () => {
		await as(t.db, a.jordan, async (x) => {
			expect(code(await send(x, ids.coach, 'switching?'))).toBe('SP001');
		});
	});
	test('anon is refused by privilege, and service_role because it is nobody (42501)', async () => {
		for (const actor of [a.anon, a.service_role]) {
			const r = await as(t.db, actor, (x) => send(x, ids.coach, 'hi'));
			expect({ actor: actor.name, code: code(r) }).toEqual({ actor: actor.name, code: '42501' });
		}
	});
});

describe('a newly linked pair', () => {
	let kim: Actor;
	beforeAll(async () => {
		kim = await createUser(t.db, { role: 'trainee', name: 'Kim New', trainerId: ids.coach });
	});

	test('the trainer’s first message creates their conversation, numbered from 1', async () => {
		await as(t.db, a.coach, async (x) => {
			const m = sent(await send(x, kim.id!, 'Welcome, Kim!'));
			expect(m.seq).toBe(1);
			const [c] = await x.query<Conversation>(`select * from public.conversations where id = $1`, [
				m.conversation_id
			]);
			expect(c).toMatchObject({
				trainer_id: ids.coach,
				trainee_id: kim.id,
				last_message_id: m.id,
				trainee_unread_count: 1,
				archived_at: null
			});
		});
	});

	test('the trainee’s first message creates it as well', async () => {
		await as(t.db, kim, async (x) => {
			const m = sent(await send(x, ids.coach, 'Hi coach, Kim here'));
			expect(m.seq).toBe(1);
			const rows = await x.query<{ id: string }>(`select id from public.conversations`);
			expect(rows).toEqual([{ id: m.conversation_id }]);
		});
	});

	test('a first message that is refused leaves no empty conversation behind', async () => {
		await as(t.db, a.coach, async (x) => {
			expect(code(await send(x, kim.id!, '   '))).toBe('SP003');
			expect(await x.query(`select id from public.conversations where trainee_id = $1`, [kim.id])).toEqual(
				[]
			);
		});
	});
});

describe('an archived conversation', () => {
	test('refuses sending from both sides once the trainee is removed (SP002), by RPC and direct insert', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.coach);
			await x.query(`select public.remove_trainee($1)`, [ids.alex]);
			expect(code(await send(x, ids.alex, 'still there?'))).toBe('SP002');
			await x.become(a.alex);
			expect(code(await send(x, ids.coach, 'still there?'))).toBe('SP002');
			expect(
				await x.errorCode(`insert into public.messages (conversation_id, body) values ($1, 'x')`, [
					conv.coachAlex
				])
			).toBe('SP002');
		});
	});
	test('a retry of a message stored before the archive still returns it (idempotent, not refused)', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.coach);
			const id = randomUUID();
			const first = sent(await send(x, ids.alex, 'just before', id));
			await x.query(`select public.remove_trainee($1)`, [ids.alex]);
			expect(sent(await send(x, ids.alex, 'just before', id))).toEqual(first);
		});
	});
});

describe('marking read', () => {
	test('coach marking coach ↔ alex read sets read_at only on alex’s messages and zeroes only coach’s counter', async () => {
		await as(t.db, a.coach, async (x) => {
			const [{ marked }] = await x.query<{ marked: number }>(
				`select public.mark_conversation_read($1) as marked`,
				[conv.coachAlex]
			);
			expect(marked).toBe(1);
			const rows = await x.query<{ id: string; read_at: Date | null }>(
				`select id, read_at from public.messages where id in ($1, $2) order by seq`,
				[seededMessageId(79), seededMessageId(80)]
			);
			expect(rows[0].read_at).toBeNull();
			expect(rows[1].read_at).toBeInstanceOf(Date);
			const c = await conversationOf(x, conv.coachAlex, a.coach);
			expect([c.trainer_unread_count, c.trainee_unread_count]).toEqual([0, 1]);
			const [{ total }] = await x.query<{ total: number }>(`select public.unread_total() as total`);
			expect(total).toBe(1);
		});
	});

	test('marking again marks nothing and changes nothing', async () => {
		await as(t.db, a.coach, async (x) => {
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachAlex]);
			await clearEvents(x, a.coach);
			const [{ marked }] = await x.query<{ marked: number }>(
				`select public.mark_conversation_read($1) as marked`,
				[conv.coachAlex]
			);
			expect(marked).toBe(0);
			expect(await eventsSince(x, a.coach)).toEqual([]);
		});
	});

	test('alex marking read reads coach’s message and emits a messages_read receipt on the conversation topic', async () => {
		await as(t.db, a.alex, async (x) => {
			await clearEvents(x, a.alex);
			const [{ marked }] = await x.query<{ marked: number }>(
				`select public.mark_conversation_read($1) as marked`,
				[conv.coachAlex]
			);
			expect(marked).toBe(1);
			const events = await eventsSince(x, a.alex);
			const receipts = events.filter((e) => e.event === 'messages_read');
			expect(receipts).toHaveLength(1);
			expect(receipts[0]).toMatchObject({
				topic: `conversation:${conv.coachAlex}`,
				extension: 'broadcast',
				private: true,
				payload: { conversation_id: conv.coachAlex, reader_id: ids.alex, up_to_seq: 79, count: 1 }
			});
			const inbox = events.filter((e) => e.event === 'conversation_changed');
			expect(inbox.map((e) => [e.topic, e.payload.unread_count, e.payload.unread_total]).sort()).toEqual(
				[
					[`user:${ids.alex}`, 0, 0],
					[`user:${ids.coach}`, 1, 2]
				].sort()
			);
		});
	});

	test('read_at is stamped with server time whatever the client sends, and only from unread to read', async () => {
		await as(t.db, a.alex, async (x) => {
			const [{ read_at }] = await x.query<{ read_at: Date }>(
				`update public.messages set read_at = '2000-01-01' where id = $1 returning read_at`,
				[seededMessageId(79)]
			);
			expect(read_at.getFullYear()).toBeGreaterThan(2000);
			expect(
				await x.errorCode(`update public.messages set read_at = null where id = $1`, [seededMessageId(79)])
			).toBe('42501');
			expect(
				await x.errorCode(`update public.messages set read_at = now() + interval '1 day' where id = $1`, [
					seededMessageId(77)
				])
			).toBe('42501');
			const c = await conversationOf(x, conv.coachAlex, a.alex);
			expect(c.trainee_unread_count).toBe(0);
		});
	});

	// Senders may update their own messages (to edit or delete them), so the guard refuses the receipt.
	test('a sender cannot mark their own message read (42501), and it stays unread', async () => {
		await as(t.db, a.alex, async (x) => {
			const r = await x.attempt(`update public.messages set read_at = now() where id = $1`, [
				seededMessageId(80)
			]);
			expect(r.ok ? 'ok' : r.error.code).toBe('42501');
			const [row] = await x.query<{ read_at: Date | null }>(
				`select read_at from public.messages where id = $1`,
				[seededMessageId(80)]
			);
			expect(row.read_at).toBeNull();
		});
	});

	test('marking an unknown conversation, or someone else’s, is not found (SP008)', async () => {
		await as(t.db, a.alex, async (x) => {
			expect(await x.errorCode(`select public.mark_conversation_read($1)`, [randomUUID()])).toBe('SP008');
			expect(await x.errorCode(`select public.mark_conversation_read($1)`, [conv.coachSam])).toBe('SP008');
		});
	});
});

describe('messages are immutable', () => {
	test('no one can change a body, time, seq, conversation or sender — not even the migration role; the sender edits only within the edit window', async () => {
		await inTransaction(t.db, async (x) => {
			const id = seededMessageId(1);
			for (const set of [
				`body = 'edited'`,
				`created_at = now()`,
				`seq = 999`,
				`conversation_id = '${conv.coachSam}'`,
				`sender_id = '${ids.alex}'`
			]) {
				expect({
					set,
					code: await x.errorCode(`update public.messages set ${set} where id = $1`, [id])
				}).toEqual({ set, code: '42501' });
			}
			await x.become(a.coach);
			// Message 1 is coach's own, sent ten days ago: far outside the 15-minute edit window.
			expect(await x.errorCode(`update public.messages set body = 'edited' where id = $1`, [id])).toBe(
				'SP103'
			);
		});
	});

	test('the check constraints refuse a blank or over-long body even when triggers are bypassed (23514)', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`set local session_replication_role = replica`);
			const insert = `insert into public.messages (conversation_id, seq, sender_id, body) values ($1, $2, $3, $4)`;
			expect(await x.errorCode(insert, [conv.coachAlex, 1000, ids.coach, ' \n '])).toBe('23514');
			expect(await x.errorCode(insert, [conv.coachAlex, 1003, ids.coach, '\u3000\u200b\ufeff\u2800'])).toBe(
				'23514'
			);
			expect(await x.errorCode(insert, [conv.coachAlex, 1001, ids.coach, 'x'.repeat(2001)])).toBe('23514');
			expect(await x.errorCode(insert, [conv.coachAlex, 1002, ids.coach, 'ok'])).toBeNull();
		});
	});
});

describe('what a new message emits', () => {
	test('one message_created on conversation:<id> and one conversation_changed on each participant’s user:<id>', async () => {
		await as(t.db, a.coach, async (x) => {
			await clearEvents(x, a.coach);
			const m = sent(await send(x, ids.alex, 'Event check'));
			const events = await eventsSince(x, a.coach);
			expect(events.filter((e) => e.event === 'message_created')).toEqual([
				{
					topic: `conversation:${conv.coachAlex}`,
					event: 'message_created',
					extension: 'broadcast',
					private: true,
					payload: expect.objectContaining({
						message: expect.objectContaining({ id: m.id, body: 'Event check', seq: 81, sender_id: ids.coach })
					})
				}
			]);
			const inbox = events.filter((e) => e.event === 'conversation_changed');
			expect(inbox.map((e) => e.topic).sort()).toEqual([`user:${ids.coach}`, `user:${ids.alex}`].sort());
			const forAlex = inbox.find((e) => e.topic === `user:${ids.alex}`)!;
			const forCoach = inbox.find((e) => e.topic === `user:${ids.coach}`)!;
			expect(forAlex.payload).toMatchObject({
				conversation_id: conv.coachAlex,
				other_party_id: ids.coach,
				last_message_preview: 'Event check',
				last_message_seq: 81,
				unread_count: 2,
				unread_total: 2
			});
			expect(forCoach.payload).toMatchObject({ other_party_id: ids.alex, unread_count: 1, unread_total: 2 });
			expect(events).toHaveLength(3);
		});
	});

	test('each inbox event carries exactly the conversation as that participant sees it, and message_created the message and its files', async () => {
		await as(t.db, a.alex, async (x) => {
			await clearEvents(x, a.alex);
			const m = sent(await send(x, ids.coach, 'Fields check'));
			const events = await eventsSince(x, a.alex);
			const fields = [
				'archived_at',
				'archived_reason',
				'conversation_id',
				'id',
				'last_message_at',
				'last_message_preview',
				'last_message_sender_id',
				'last_message_seq',
				'marked_unread',
				'muted',
				'other_party_id',
				'pinned_at',
				'unread_count',
				'unread_total'
			];
			const inbox = events.filter((e) => e.event === 'conversation_changed');
			expect(inbox).toHaveLength(2);
			for (const e of inbox) expect(Object.keys(e.payload).sort()).toEqual(fields);
			await x.becomePostgres();
			const [c] = await x.query<Record<string, unknown>>(
				`select id, trainer_id, trainee_id, to_jsonb(last_message_at) #>> '{}' as last_message_at, last_message_seq, trainer_unread_count,
					trainee_unread_count from public.conversations where id = $1`,
				[conv.coachAlex]
			);
			const totals = await x.query<{ user_id: string; total: number }>(
				`select user_id, total from private.unread_totals where user_id in ($1, $2)`,
				[ids.coach, ids.alex]
			);
			await x.become(a.alex);
			const total = (id: string) => totals.find((r) => r.user_id === id)?.total ?? 0;
			for (const [me, other, unread] of [
				[ids.coach, ids.alex, c.trainer_unread_count],
				[ids.alex, ids.coach, c.trainee_unread_count]
			] as const) {
				expect(inbox.find((e) => e.topic === `user:${me}`)!.payload).toMatchObject({
					conversation_id: conv.coachAlex,
					other_party_id: other,
					last_message_at: c.last_message_at,
					last_message_preview: 'Fields check',
					last_message_sender_id: ids.alex,
					last_message_seq: c.last_message_seq,
					unread_count: unread,
					unread_total: total(me),
					archived_at: null,
					archived_reason: null,
					pinned_at: null,
					muted: false,
					marked_unread: false
				});
			}
			const [created] = events.filter((e) => e.event === 'message_created');
			expect(Object.keys(created.payload).sort()).toEqual(['attachments', 'id', 'message']);
			expect(created.payload).toMatchObject({ message: { id: m.id, attachment_count: 0 }, attachments: [] });
		});
	});

	test('one push outbox row for the recipient only, due two seconds after the message', async () => {
		await as(t.db, a.alex, async (x) => {
			await clearEvents(x, a.alex);
			const m = sent(await send(x, ids.coach, 'Push me'));
			await x.becomePostgres();
			const rows = await x.query<{
				message_id: string;
				recipient_id: string;
				delay: number;
				done_at: Date | null;
			}>(
				`select message_id, recipient_id, extract(epoch from not_before - created_at)::float as delay, done_at
				 from private.push_outbox`
			);
			expect(rows).toEqual([{ message_id: m.id, recipient_id: ids.coach, delay: 2, done_at: null }]);
		});
	});

	test('a refused message emits nothing and queues nothing', async () => {
		await as(t.db, a.coach, async (x) => {
			await clearEvents(x, a.coach);
			expect(code(await send(x, ids.jordan, 'nope'))).toBe('SP001');
			expect(code(await send(x, ids.alex, ' '))).toBe('SP003');
			expect(await eventsSince(x, a.coach)).toEqual([]);
			await x.becomePostgres();
			expect(await x.query(`select id from private.push_outbox`)).toEqual([]);
		});
	});
});

describe('the one definition of blank (private.is_blank, private.trim_blank), as the server', () => {
	test('every character of the set is blank alone and in a run of all of them; any visible character is not', async () => {
		await inTransaction(t.db, async (x) => {
			const notBlank = await x.query<{ cp: number }>(
				`select cp from unnest($1::int[]) cp where private.is_blank(chr(cp)) is not true`,
				[allBlank]
			);
			expect(notBlank).toEqual([]);
			const [row] = await x.query<{ all: boolean; with_x: boolean; empty: boolean; nothing: boolean | null }>(
				`select private.is_blank($1) as all, private.is_blank($1 || 'x' || $1) as with_x,
				        private.is_blank('') as empty, private.is_blank(null) as nothing`,
				[String.fromCodePoint(...allBlank)]
			);
			expect(row).toEqual({ all: true, with_x: false, empty: true, nothing: null });
		});
	});

	test('the code points next to each range are not blank: the set is exact, as the app mirrors it', async () => {
		expect(neighbours.length).toBeGreaterThan(40);
		await inTransaction(t.db, async (x) => {
			const blankNeighbours = await x.query<{ cp: number }>(
				`select cp from unnest($1::int[]) cp where private.is_blank(chr(cp))`,
				[neighbours]
			);
			expect(blankNeighbours).toEqual([]);
		});
	});

	test('trimming removes every blank character at either end, one by one, and none inside', async () => {
		await inTransaction(t.db, async (x) => {
			const wrong = await x.query<{ cp: number }>(
				`select cp from unnest($1::int[]) cp
				 where private.trim_blank(chr(cp) || chr(cp) || 'a' || chr(cp) || 'b' || chr(cp)) <> 'a' || chr(cp) || 'b'`,
				[allBlank]
			);
			expect(wrong).toEqual([]);
			const kept = await x.query<{ cp: number }>(
				`select cp from unnest($1::int[]) cp where private.trim_blank(chr(cp) || 'a' || chr(cp)) <> chr(cp) || 'a' || chr(cp)`,
				[neighbours]
			);
			expect(kept).toEqual([]);
		});
	});
});

describe('each user’s unread total (private.unread_totals), kept by the triggers', () => {
	const storedTotal = async (x: ActorTx, userId: string) =>
		(
			await x.query<{ total: number }>(`select total from private.unread_totals where user_id = $1`, [userId])
		)[0]?.total ?? 0;

	test('equals the sum over the user’s conversations after sends both ways and reads, for every user', async () => {
		await inTransaction(t.db, async (x) => {
			expect(await unreadTotalMismatches(x)).toEqual([]);
			await x.become(a.coach);
			sent(await send(x, ids.alex, 'one'));
			sent(await send(x, ids.sam, 'two'));
			await x.become(a.alex);
			sent(await send(x, ids.coach, 'three'));
			expect(await unreadTotalMismatches(x)).toEqual([]);
			expect([
				await storedTotal(x, ids.coach),
				await storedTotal(x, ids.alex),
				await storedTotal(x, ids.sam)
			]).toEqual([3, 2, 1]);
			await x.become(a.coach);
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachAlex]);
			await x.become(a.sam);
			await x.query(`select public.mark_conversation_read($1)`, [conv.coachSam]);
			expect(await unreadTotalMismatches(x)).toEqual([]);
			expect([
				await storedTotal(x, ids.coach),
				await storedTotal(x, ids.alex),
				await storedTotal(x, ids.sam)
			]).toEqual([1, 2, 0]);
		});
	});

	test('unread_total() and the inbox event read the stored total, not a sum over conversations', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`update private.unread_totals set total = 40 where user_id = $1`, [ids.coach]);
			await x.become(a.coach);
			expect(await x.one(`select public.unread_total() as total`)).toEqual({ total: 40 });
			await clearEvents(x, a.alex);
			sent(await send(x, ids.coach, 'one more'));
			const forCoach = (await eventsSince(x, a.alex)).find((e) => e.topic === `user:${ids.coach}`);
			expect(forCoach?.payload).toMatchObject({ unread_count: 2, unread_total: 41 });
		});
	});

	test('follows an admin’s direct change of a conversation’s counts, and a deleted conversation', async () => {
		await inTransaction(t.db, async (x) => {
			await x.query(`update public.conversations set trainer_unread_count = 5 where id = $1`, [
				conv.coachAlex
			]);
			expect(await unreadTotalMismatches(x)).toEqual([]);
			expect(await storedTotal(x, ids.coach)).toBe(6);
			await x.query(`delete from public.conversations where id = $1`, [conv.coachSam]);
			expect(await unreadTotalMismatches(x)).toEqual([]);
			expect(await storedTotal(x, ids.coach)).toBe(5);
		});
	});

	test('a statement that reads several conversations at once leaves the total final in every inbox event', async () => {
		await inTransaction(t.db, async (x) => {
			await x.become(a.coach);
			await clearEvents(x, a.coach);
			// Both of coach's unread messages (from alex and from sam) in one UPDATE.
			const r = await x.attempt(
				`update public.messages set read_at = now() where read_at is null and sender_id <> $1`,
				[ids.coach]
			);
			expect(r.ok && r.rowCount).toBe(2);
			const forCoach = (await eventsSince(x, a.coach)).filter((e) => e.topic === `user:${ids.coach}`);
			expect(forCoach.map((e) => e.payload.unread_total)).toEqual([0, 0]);
			expect(await unreadTotalMismatches(x)).toEqual([]);
		});
	});
});
