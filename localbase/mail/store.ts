// The caught messages, kept in memory (a restart empties the inbox, as a fresh Mailpit container
// does), newest first, at most `limit` of them: Mailpit's default of 500, oldest dropped first.
import { randomBytes } from 'node:crypto';
import { convert } from 'html-to-text';

export interface Address {
	Name: string;
	Address: string;
}

/** What Auth hands over: one message to one recipient. */
export interface OutgoingMail {
	from: Address;
	to: string;
	subject: string;
	html: string;
	/** Supabase Auth sends HTML only; when absent the text is derived from the HTML, as Mailpit does. */
	text?: string;
}

export interface StoredMessage {
	ID: string;
	MessageID: string;
	From: Address;
	To: Address[];
	Subject: string;
	/** When the catcher received it (ISO 8601), as Mailpit's `Created`. */
	Created: string;
	Text: string;
	HTML: string;
	Size: number;
	Read: boolean;
}

/** Mailpit's message summary in list and search answers. */
export function summary(m: StoredMessage) {
	return {
		ID: m.ID,
		MessageID: m.MessageID,
		Read: m.Read,
		From: m.From,
		To: m.To,
		Cc: [],
		Bcc: [],
		ReplyTo: [],
		Subject: m.Subject,
		Created: m.Created,
		Username: '',
		Tags: [],
		Size: m.Size,
		Attachments: 0,
		Snippet: m.Text.replace(/\s+/g, ' ').trim().slice(0, 250)
	};
}

/** Mailpit's full message (`GET /api/v1/message/{ID}`). */
export function detail(m: StoredMessage) {
	return {
		ID: m.ID,
		MessageID: m.MessageID,
		From: m.From,
		To: m.To,
		Cc: [],
		Bcc: [],
		ReplyTo: [],
		ReturnPath: m.From.Address,
		Subject: m.Subject,
		ListUnsubscribe: { Header: '', Links: [], Errors: '', HeaderPost: '' },
		Date: m.Created,
		Tags: [],
		Username: '',
		Text: m.Text,
		HTML: m.HTML,
		Size: m.Size,
		Inline: [],
		Attachments: []
	};
}

/** Plain text of an HTML mail: links kept as "text [url]", images and styles dropped. */
export function textOf(html: string): string {
	return convert(html, {
		wordwrap: false,
		selectors: [
			{ selector: 'img', format: 'skip' },
			{ selector: 'style', format: 'skip' },
			{ selector: 'h1', options: { uppercase: false } },
			{ selector: 'h2', options: { uppercase: false } },
			{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } }
		]
	});
}

/** The href of every link in an HTML mail, in order, HTML entities decoded. */
export function linksOf(html: string): string[] {
	const links: string[] = [];
	for (const m of html.matchAll(/<a\b[^>]*?\bhref\s*=\s*("([^"]*)"|'([^']*)')/gi)) {
		links.push(decodeEntities(m[2] ?? m[3] ?? ''));
	}
	return links;
}

function decodeEntities(s: string): string {
	return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (whole, e: string) => {
		const lower = e.toLowerCase();
		if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
		if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
		return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? whole;
	});
}

/** Mailpit-style ids: 22 base62 characters. */
function newId(): string {
	const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
	return [...randomBytes(22)].map((b) => alphabet[b % 62]).join('');
}

export class MailStore {
	/** Newest first. */
	private messages: StoredMessage[] = [];
	private readonly listeners = new Set<(m: StoredMessage) => void>();

	constructor(private readonly limit = 500) {}

	add(mail: OutgoingMail): StoredMessage {
		const id = newId();
		const text = mail.text ?? textOf(mail.html);
		const created = new Date().toISOString();
		// The size of the message as an SMTP server would have received it (headers and HTML body).
		const raw = `From: ${mail.from.Name} <${mail.from.Address}>\r\nTo: ${mail.to}\r\nSubject: ${mail.subject}\r\nDate: ${created}\r\nMessage-ID: <${id}@localbase>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n${mail.html}`;
		const message: StoredMessage = {
			ID: id,
			MessageID: `${id}@localbase`,
			From: mail.from,
			To: [{ Name: '', Address: mail.to }],
			Subject: mail.subject,
			Created: created,
			Text: text,
			HTML: mail.html,
			Size: Buffer.byteLength(raw),
			Read: false
		};
		this.messages.unshift(message);
		this.messages.length = Math.min(this.messages.length, this.limit);
		for (const listener of this.listeners) listener(message);
		return message;
	}

	/** Calls `listener` for every message caught from now on; returns the unsubscribe. */
	onMessage(listener: (m: StoredMessage) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	list(): readonly StoredMessage[] {
		return this.messages;
	}

	get(id: string): StoredMessage | undefined {
		if (id === 'latest') return this.messages[0];
		return this.messages.find((m) => m.ID === id);
	}

	/** Deletes the messages with these ids; none given deletes all. Returns how many went. */
	delete(ids: readonly string[] = []): number {
		const before = this.messages.length;
		if (ids.length === 0) this.messages = [];
		else {
			const gone = new Set(ids);
			this.messages = this.messages.filter((m) => !gone.has(m.ID));
		}
		return before - this.messages.length;
	}

	/**
	 * Mailpit's search syntax, for what tests and tools use: `to:`, `from:`, `subject:`,
	 * `message-id:`, `is:read` / `is:unread`, and bare words (anywhere in the message); quoted
	 * phrases; a leading `-` or `!` negates a term. Matching is case-insensitive and by substring.
	 */
	search(query: string): StoredMessage[] {
		const terms = [...query.matchAll(/([-!]?)(?:([a-z-]+):)?(?:"([^"]*)"|(\S+))/gi)].map((m) => ({
			negate: m[1] !== '',
			field: (m[2] ?? '').toLowerCase(),
			value: (m[3] ?? m[4] ?? '').toLowerCase()
		}));
		return this.messages.filter((msg) =>
			terms.every((t) => {
				const hit = matches(msg, t.field, t.value);
				return t.negate ? !hit : hit;
			})
		);
	}
}

function matches(m: StoredMessage, field: string, value: string): boolean {
	const has = (s: string) => s.toLowerCase().includes(value);
	const addresses = (list: Address[]) => list.some((a) => has(a.Address) || has(a.Name));
	switch (field) {
		case 'to':
			return addresses(m.To);
		case 'from':
			return addresses([m.From]);
		case 'subject':
			return has(m.Subject);
		case 'message-id':
			return has(m.MessageID);
		case 'is':
			return value === 'read' ? m.Read : value === 'unread' ? !m.Read : false;
		case '':
			return has(m.Subject) || has(m.Text) || has(m.HTML) || addresses(m.To) || addresses([m.From]);
		default:
			// An unknown prefix is searched as a plain word, as Mailpit does.
			return [m.Subject, m.Text].some((s) => s.toLowerCase().includes(`${field}:${value}`));
	}
}
