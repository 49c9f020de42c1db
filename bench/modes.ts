// The sizes of a full and a quick run (bench/README.md, "How the data is built").
import type { BroadcastOptions } from './broadcast.ts';
import type { BrowserOptions } from './browser.ts';
import type { DataPlan } from './data.ts';
import type { PushOptions } from './push.ts';
import type { RealtimeOptions } from './realtime.ts';
import type { SqlOptions } from './sql.ts';

export interface Mode {
	data: DataPlan;
	sql: SqlOptions;
	realtime: RealtimeOptions;
	push: PushOptions;
	browser: BrowserOptions;
	/** Section 8: 25 MB uploads (runs) and the broadcast against single sends. */
	media: { storageRuns: number; broadcast: BroadcastOptions };
}

export const modes: Record<'full' | 'quick', Mode> = {
	full: {
		data: {
			sizes: [50, 500, 5000],
			largestMessages: 1_000_000,
			messagesPerConversation: 200,
			depth: 100_000
		},
		sql: { reps: 400, warmup: 30, pageSize: 30, depth: 100_000 },
		realtime: {
			pairs: 200,
			rate: 100,
			seconds: 20,
			rpcConcurrency: 16,
			rpcSeconds: 10,
			sockets: 1000,
			socketConcurrency: 50
		},
		push: { recipients: 20, devices: 2, backlog: 2000, rate: 50, seconds: 10 },
		browser: { messages: 100, coldStarts: 5, photos: 10 },
		media: { storageRuns: 5, broadcast: { recipients: 1000, rounds: 3 } }
	},
	quick: {
		data: { sizes: [50, 200, 1000], largestMessages: 30_000, messagesPerConversation: 30, depth: 5_000 },
		sql: { reps: 60, warmup: 10, pageSize: 30, depth: 5_000 },
		realtime: {
			pairs: 20,
			rate: 50,
			seconds: 3,
			rpcConcurrency: 8,
			rpcSeconds: 2,
			sockets: 100,
			socketConcurrency: 25
		},
		push: { recipients: 5, devices: 2, backlog: 200, rate: 20, seconds: 2 },
		browser: { messages: 6, coldStarts: 1, photos: 2, phoneOnly: true },
		media: { storageRuns: 1, broadcast: { recipients: 100, rounds: 1 } }
	}
};
