// Child process of the realtime benchmarks: localbase on its own scratch database, with the users,
// sessions and conversations the clients need. Runs apart from the clients so that the server has
// a core of its own, as it would in production, and its memory can be read alone.
import { startLocalbase } from '../localbase/server.ts';
import { issuerFor, signAccessToken, userColumns, type UserRow } from '../localbase/auth/tokens.ts';
import { createScratchDatabase } from './lib/database.ts';

export interface ServerUser {
	id: string;
	token: string;
}

export interface ServerPair {
	conversationId: string;
	trainer: ServerUser;
	trainee: ServerUser;
}

export type ToServer = { type: 'memory' } | { type: 'stop' };
export type FromServer =
	| { type: 'ready'; url: string; key: string; backend: string; pairs: ServerPair[]; sockets: ServerUser[] }
	| { type: 'memory'; rss: number; heapUsed: number }
	| { type: 'stopped' };

const { pairs, sockets } = JSON.parse(process.argv[2] ?? '{}') as { pairs: number; sockets: number };
const reply = (message: FromServer) => process.send!(message);

const scratch = await createScratchDatabase(process.env.DATABASE_URL || undefined, 'realtime');
const lb = await startLocalbase({ db: scratch.db, seed: false, config: { port: 0 } });
const db = scratch.db;

await db.query(
	`insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
		email_confirmed_at, created_at, updated_at)
	 select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
		u.kind || '-' || u.n || '@bench.test', '{"provider":"email","providers":["email"]}',
		jsonb_build_object('role', case u.kind when 'trainer' then 'trainer' else 'trainee' end,
			'display_name', u.kind || ' ' || u.n),
		now(), now(), now()
	 from (
		select 'trainer' as kind, n from generate_series(1, $1::int) n
		union all select 'trainee', n from generate_series(1, $1::int) n
		union all select 'socket', n from generate_series(1, $2::int) n
	 ) u`,
	[pairs, sockets]
);
await db.exec(`
	update public.profiles p set trainer_id = t.id
	from auth.users tu
	join auth.users t on t.email = replace(tu.email, 'trainee-', 'trainer-')
	where tu.email like 'trainee-%' and p.id = tu.id;
	insert into public.conversations (trainer_id, trainee_id)
	select trainer_id, id from public.profiles where trainer_id is not null;
	insert into auth.sessions (id, user_id, created_at, updated_at, aal)
	select gen_random_uuid(), id, now(), now(), 'aal1' from auth.users;
`);
const users = await db.query<UserRow & { session_id: string }>(
	`select u.*, s.id as session_id
	 from (select ${userColumns} from auth.users) u join auth.sessions s on s.user_id = u.id`
);
const issuer = issuerFor(lb.config);
const now = Math.floor(Date.now() / 1000);
const tokenOf = new Map(
	users.rows.map((u) => [u.id, signAccessToken(u, u.session_id, lb.config, issuer, now, now).accessToken])
);
const user = (id: string): ServerUser => ({ id, token: tokenOf.get(id)! });
const conversations = await db.query<{ id: string; trainer_id: string; trainee_id: string }>(
	'select id, trainer_id, trainee_id from public.conversations order by id'
);
const socketUsers = await db.query<{ id: string }>(
	`select id from auth.users where email like 'socket-%' order by email`
);

reply({
	type: 'ready',
	url: lb.url,
	key: lb.config.publishableKey,
	backend: scratch.label,
	pairs: conversations.rows.map((c) => ({
		conversationId: c.id,
		trainer: user(c.trainer_id),
		trainee: user(c.trainee_id)
	})),
	sockets: socketUsers.rows.map((u) => user(u.id))
});

let stopping: Promise<void> | undefined;
const stop = () =>
	(stopping ??= (async () => {
		await lb.close();
		await scratch.release();
	})());

process.on('message', (message: ToServer) => {
	if (message.type === 'memory') {
		global.gc?.();
		const m = process.memoryUsage();
		reply({ type: 'memory', rss: m.rss, heapUsed: m.heapUsed });
	} else if (message.type === 'stop') {
		void stop().then(() => {
			reply({ type: 'stopped' });
			process.disconnect();
		});
	}
});
// The parent going away (crash, Ctrl-C) must not leave a server or a scratch database behind.
process.on('disconnect', () => {
	void stop().finally(() => process.exit(0));
});
