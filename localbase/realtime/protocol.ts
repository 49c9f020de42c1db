// The Phoenix wire format Realtime speaks: vsn 2.0.0 JSON arrays plus the binary user-broadcast
// frames (kind 3 in, kind 4 out), and vsn 1.0.0 JSON objects.

export type Vsn = '1.0.0' | '2.0.0';
export const supportedVsns: readonly Vsn[] = ['1.0.0', '2.0.0'];

export interface Frame {
	joinRef: string | null;
	ref: string | null;
	topic: string;
	event: string;
	payload: unknown;
}

/** A broadcast as it travels between channels, encoded once per wire format and reused. */
export interface BroadcastMessage {
	event: string;
	/** Parsed JSON payload, or undefined for a raw binary payload. */
	json?: unknown;
	/** Raw bytes: the JSON text (when it came that way) or the binary payload. */
	bytes?: Buffer;
	binary: boolean;
	meta?: Record<string, unknown>;
	/** How vsn 2.0.0 receivers get it: a kind 4 binary frame, or a JSON text frame (REST batch API). */
	wire: 'binary' | 'text';
}

export type Inbound =
	{ kind: 'frame'; frame: Frame } | { kind: 'broadcast'; frame: Frame; message: BroadcastMessage };

/** The frame cannot be understood; the connection that sent it is closed. */
export class FrameError extends Error {}

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;
const ENCODING_BINARY = 0;
const ENCODING_JSON = 1;

function refOf(value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return String(value);
	throw new FrameError('refs must be strings or null');
}

function parseJson(text: string, what: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new FrameError(`${what} is not valid JSON`);
	}
}

export function decodeInbound(data: Buffer, isBinary: boolean, vsn: Vsn): Inbound {
	if (isBinary) {
		if (vsn !== '2.0.0') throw new FrameError('binary frames need vsn 2.0.0');
		return decodeUserBroadcastPush(data);
	}
	const value = parseJson(data.toString('utf8'), 'frame');
	let frame: Frame;
	if (vsn === '2.0.0') {
		if (!Array.isArray(value) || value.length < 5)
			throw new FrameError('expected [join_ref, ref, topic, event, payload]');
		const [joinRef, ref, topic, event, payload] = value;
		if (typeof topic !== 'string' || typeof event !== 'string')
			throw new FrameError('topic and event must be strings');
		frame = { joinRef: refOf(joinRef), ref: refOf(ref), topic, event, payload };
	} else {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			throw new FrameError('expected {topic, event, payload, ref, join_ref}');
		}
		const v = value as Record<string, unknown>;
		if (typeof v.topic !== 'string' || typeof v.event !== 'string') {
			throw new FrameError('topic and event must be strings');
		}
		frame = {
			joinRef: refOf(v.join_ref),
			ref: refOf(v.ref),
			topic: v.topic,
			event: v.event,
			payload: v.payload
		};
	}
	return { kind: 'frame', frame };
}

function decodeUserBroadcastPush(data: Buffer): Inbound {
	if (data.length < 7) throw new FrameError('binary frame too short');
	if (data[0] !== KIND_USER_BROADCAST_PUSH) throw new FrameError(`unsupported binary frame kind ${data[0]}`);
	const [joinRefSize, refSize, topicSize, eventSize, metaSize, encoding] = data.subarray(1, 7);
	if (encoding !== ENCODING_JSON && encoding !== ENCODING_BINARY) {
		throw new FrameError(`unknown payload encoding ${encoding}`);
	}
	let offset = 7;
	const take = (size: number) => {
		if (offset + size > data.length) throw new FrameError('binary frame shorter than its header says');
		const part = data.subarray(offset, offset + size);
		offset += size;
		return part;
	};
	const joinRef = take(joinRefSize).toString('utf8');
	const ref = take(refSize).toString('utf8');
	const topic = take(topicSize).toString('utf8');
	const event = take(eventSize).toString('utf8');
	const metaBytes = take(metaSize);
	if (metaSize > 0) parseJson(metaBytes.toString('utf8'), 'metadata');
	// Copied so the broadcast does not pin the whole receive buffer.
	const bytes = Buffer.from(data.subarray(offset));
	const binary = encoding === ENCODING_BINARY;
	// JSON payloads are parsed here so that a malformed one never reaches (and breaks) other clients.
	const json = binary ? undefined : parseJson(bytes.toString('utf8'), 'payload');
	const frame: Frame = { joinRef: refOf(joinRef), ref: refOf(ref), topic, event: 'broadcast', payload: null };
	return { kind: 'broadcast', frame, message: { event, json, bytes, binary, wire: 'binary' } };
}

export function encodeFrame(vsn: Vsn, frame: Frame): string {
	if (vsn === '2.0.0')
		return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload]);
	return JSON.stringify({
		topic: frame.topic,
		event: frame.event,
		payload: frame.payload,
		ref: frame.ref,
		join_ref: frame.joinRef
	});
}

function broadcastPayload(message: BroadcastMessage): Record<string, unknown> {
	return {
		type: 'broadcast',
		event: message.event,
		payload: message.json,
		...(message.meta ? { meta: message.meta } : {})
	};
}

/**
 * The bytes or text one receiver gets for `message` on `topic`; null when its protocol cannot carry
 * it (a raw binary payload on vsn 1.0.0, which Realtime skips too).
 */
export function encodeBroadcast(vsn: Vsn, topic: string, message: BroadcastMessage): string | Buffer | null {
	if (vsn === '1.0.0' && message.binary) return null;
	if (vsn === '2.0.0' && message.wire === 'binary') {
		const frame = encodeUserBroadcast(topic, message);
		if (frame) return frame;
		if (message.binary) return null;
	}
	return encodeFrame(vsn, {
		joinRef: null,
		ref: null,
		topic,
		event: 'broadcast',
		payload: broadcastPayload(message)
	});
}

/** Kind 4: [4, topic size, event size, meta size, encoding] topic event meta payload; null if a part exceeds 255 bytes. */
function encodeUserBroadcast(topic: string, message: BroadcastMessage): Buffer | null {
	const topicBytes = Buffer.from(topic, 'utf8');
	const eventBytes = Buffer.from(message.event, 'utf8');
	const metaBytes = message.meta ? Buffer.from(JSON.stringify(message.meta), 'utf8') : Buffer.alloc(0);
	if (topicBytes.length > 255 || eventBytes.length > 255 || metaBytes.length > 255) return null;
	const payload = message.bytes ?? Buffer.from(JSON.stringify(message.json ?? null), 'utf8');
	const header = Buffer.from([
		KIND_USER_BROADCAST,
		topicBytes.length,
		eventBytes.length,
		metaBytes.length,
		message.binary ? ENCODING_BINARY : ENCODING_JSON
	]);
	return Buffer.concat([header, topicBytes, eventBytes, metaBytes, payload]);
}
