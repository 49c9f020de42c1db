// Phoenix Presence for one process: who is tracked under which key in each channel namespace, and
// the presence_state / presence_diff payloads the client's presence.js expects.
import { randomBytes } from 'node:crypto';

export type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceMap = Record<string, { metas: Meta[] }>;
export interface PresenceDiff {
	joins: PresenceMap;
	leaves: PresenceMap;
}

interface Entry {
	key: string;
	meta: Meta;
	payloadJson: string;
}

/** Phoenix presence refs are opaque, unique strings. */
const newRef = () => randomBytes(9).toString('base64url');

export class PresenceRegistry {
	/** namespace → owner (one channel) → its tracked entry. */
	private readonly byNamespace = new Map<string, Map<object, Entry>>();

	state(namespace: string): PresenceMap {
		const state: PresenceMap = {};
		for (const { key, meta } of this.byNamespace.get(namespace)?.values() ?? []) {
			(state[key] ??= { metas: [] }).metas.push(meta);
		}
		return state;
	}

	/** Tracks or updates `owner`; null when nothing changed (the same payload tracked again). */
	track(
		namespace: string,
		owner: object,
		key: string,
		payload: Record<string, unknown>
	): PresenceDiff | null {
		let entries = this.byNamespace.get(namespace);
		if (!entries) this.byNamespace.set(namespace, (entries = new Map()));
		const payloadJson = JSON.stringify(payload);
		const previous = entries.get(owner);
		if (previous && previous.key === key && previous.payloadJson === payloadJson) return null;
		const meta: Meta = { ...payload, phx_ref: newRef() };
		if (previous) meta.phx_ref_prev = previous.meta.phx_ref;
		entries.set(owner, { key, meta, payloadJson });
		return {
			joins: { [key]: { metas: [meta] } },
			leaves: previous ? { [previous.key]: { metas: [previous.meta] } } : {}
		};
	}

	untrack(namespace: string, owner: object): PresenceDiff | null {
		const entries = this.byNamespace.get(namespace);
		const previous = entries?.get(owner);
		if (!entries || !previous) return null;
		entries.delete(owner);
		if (entries.size === 0) this.byNamespace.delete(namespace);
		return { joins: {}, leaves: { [previous.key]: { metas: [previous.meta] } } };
	}
}
