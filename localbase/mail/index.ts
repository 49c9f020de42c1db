// The mail catcher: what Mailpit is for `supabase start`. Auth hands each message to the store
// in-process (there is no SMTP); this server shows them on the `[local_smtp]` port as a small web
// inbox and through the parts of Mailpit's JSON API that tests and tools use.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MailSettings } from '../config.ts';
import { detail, linksOf, MailStore, summary, type StoredMessage } from './store.ts';

export { MailStore } from './store.ts';
export type { OutgoingMail, StoredMessage } from './store.ts';

export interface MailCatcher {
	store: MailStore;
	/** The inbox URL; undefined when `[local_smtp]` is disabled (messages are still kept). */
	url: string | undefined;
	close(): Promise<void>;
}

const maxBodyBytes = 64 * 1024;

export async function startMailCatcher(settings: MailSettings, host: string): Promise<MailCatcher> {
	const store = new MailStore();
	if (!settings.enabled) return { store, url: undefined, close: async () => {} };
	const server = http.createServer((req, res) => {
		handle(store, req, res).catch((err: unknown) => {
			console.error('[localbase] mail catcher: unexpected error:', err);
			reply(res, 500, 'text/plain; charset=utf-8', 'mail catcher error');
		});
	});
	server.on('clientError', (_err, socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', (err: NodeJS.ErrnoException) =>
			reject(
				err.code === 'EADDRINUSE'
					? new Error(
							`localbase: the mail catcher's port ${settings.port} is in use ([local_smtp] port in supabase/config.toml, or LOCALBASE_MAIL_PORT)`,
							{ cause: err }
						)
					: err
			)
		);
		server.listen(settings.port, host, () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		store,
		url: `http://${host}:${port}`,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
	if (res.headersSent || res.destroyed) return;
	res.writeHead(status, {
		'content-type': type,
		'cache-control': 'no-store',
		'access-control-allow-origin': '*',
		'access-control-allow-methods': 'GET, DELETE, OPTIONS',
		'access-control-allow-headers': 'content-type'
	});
	res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) =>
	reply(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

async function readJson(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > maxBodyBytes) throw new BadRequest('request body too large');
		chunks.push(chunk);
	}
	const text = Buffer.concat(chunks).toString('utf8').trim();
	if (text === '') return {};
	try {
		return JSON.parse(text);
	} catch {
		throw new BadRequest('invalid JSON body');
	}
}

class BadRequest extends Error {}

/** Mailpit's list shape: counts over the whole inbox, then one page. */
function page(all: readonly StoredMessage[], matched: readonly StoredMessage[], url: URL) {
	const start = Math.max(0, Number(url.searchParams.get('start')) || 0);
	const limit = Math.max(1, Number(url.searchParams.get('limit')) || 50);
	const messages = matched.slice(start, start + limit);
	return {
		total: all.length,
		unread: all.filter((m) => !m.Read).length,
		count: messages.length,
		messages_count: matched.length,
		messages_unread: matched.filter((m) => !m.Read).length,
		start,
		tags: [],
		messages: messages.map(summary)
	};
}

async function handle(store: MailStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://localhost');
	const method = req.method ?? 'GET';
	const path = url.pathname.replace(/\/+$/, '') || '/';
	try {
		if (method === 'OPTIONS') return reply(res, 204, 'text/plain', '');
		if (path === '/readyz' || path === '/livez') return reply(res, 200, 'text/plain; charset=utf-8', 'ok');
		if (path === '/api/v1/info' && method === 'GET') {
			const all = store.list();
			return json(res, 200, {
				Version: 'localbase',
				Messages: all.length,
				Unread: all.filter((m) => !m.Read).length
			});
		}
		if (path === '/api/v1/messages' && method === 'GET')
			return json(res, 200, page(store.list(), store.list(), url));
		if (path === '/api/v1/messages' && method === 'DELETE') {
			store.delete(idsOf(await readJson(req)));
			return reply(res, 200, 'text/plain; charset=utf-8', 'ok');
		}
		if (path === '/api/v1/search' && method === 'GET') {
			const query = url.searchParams.get('query') ?? '';
			if (query.trim() === '') throw new BadRequest('no search query');
			return json(res, 200, page(store.list(), store.search(query), url));
		}
		const one = /^\/api\/v1\/message\/([^/]+)$/.exec(path);
		if (one && method === 'GET') {
			const message = store.get(decodeURIComponent(one[1]));
			if (!message) return reply(res, 404, 'text/plain; charset=utf-8', 'message not found');
			// Opening a message marks it read, as in Mailpit.
			message.Read = true;
			return json(res, 200, detail(message));
		}
		if (path === '/' && method === 'GET')
			return reply(res, 200, 'text/html; charset=utf-8', inboxPage(store.list()));
		const view = /^\/view\/([^/]+)$/.exec(path);
		if (view && method === 'GET') {
			const message = store.get(decodeURIComponent(view[1]));
			if (!message)
				return reply(res, 404, 'text/html; charset=utf-8', layout('Not found', '<p>No such message.</p>'));
			message.Read = true;
			return reply(res, 200, 'text/html; charset=utf-8', messagePage(message));
		}
		return reply(res, 404, 'text/plain; charset=utf-8', `not found: ${method} ${path}`);
	} catch (err) {
		if (err instanceof BadRequest) return reply(res, 400, 'text/plain; charset=utf-8', err.message);
		throw err;
	}
}

/** Mailpit reads `{"IDs": [...]}`; Go's JSON decoding ignores the key's case, so `ids` works too. */
function idsOf(body: unknown): string[] {
	if (typeof body !== 'object' || body === null || Array.isArray(body))
		throw new BadRequest('expected a JSON object');
	const key = Object.keys(body).find((k) => k.toLowerCase() === 'ids');
	const ids = key ? (body as Record<string, unknown>)[key] : [];
	if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
		throw new BadRequest('IDs must be a list of strings');
	return ids as string[];
}

// ----------------------------------------------------------------------------------------------
// The web inbox
// ----------------------------------------------------------------------------------------------

const escapeHtml = (s: string) =>
	s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function layout(title: string, body: string): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · localbase inbox</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1b1f24; }
  header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
  h1 { font-size: 1.3rem; margin: .25rem 0 1rem; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: .5rem .4rem; border-bottom: 1px solid #d8dde3; vertical-align: top; }
  th { font-size: .8rem; text-transform: uppercase; color: #57606a; }
  tr.unread td { font-weight: 600; }
  td.links a { display: block; font-weight: 400; word-break: break-all; }
  time { white-space: nowrap; color: #57606a; font-weight: 400; }
  iframe { width: 100%; min-height: 24rem; border: 1px solid #d8dde3; border-radius: 6px; background: #fff; }
  pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .75rem; border-radius: 6px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: #57606a; } dd { margin: 0; word-break: break-all; }
  a { color: #0a58ca; }
  @media (max-width: 40rem) {
    table, tbody, tr, td { display: block; }
    thead { display: none; }
    tr { padding: .5rem 0; border-bottom: 1px solid #d8dde3; }
    td { border: none; padding: .15rem 0; }
  }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

function inboxPage(messages: readonly StoredMessage[]): string {
	const rows = messages
		.map((m) => {
			const links = [...new Set(linksOf(m.HTML))]
				.map((href) => `<a href="${escapeHtml(href)}">${escapeHtml(href)}</a>`)
				.join('');
			return `<tr class="${m.Read ? 'read' : 'unread'}">
  <td>${escapeHtml(m.To.map((t) => t.Address).join(', '))}</td>
  <td><a href="/view/${encodeURIComponent(m.ID)}">${escapeHtml(m.Subject || '(no subject)')}</a></td>
  <td class="links">${links || '—'}</td>
  <td class="when"><time datetime="${m.Created}">${escapeHtml(m.Created.replace('T', ' ').slice(0, 19))}</time></td>
</tr>`;
		})
		.join('\n');
	const body = `<header><h1>localbase inbox</h1><p>${messages.length} message${messages.length === 1 ? '' : 's'} · kept in memory · <a href="/">refresh</a></p></header>
${
	messages.length === 0
		? '<p>No mail yet. Messages Supabase Auth sends (confirmations, password resets, email changes) appear here.</p>'
		: `<table>
<thead><tr><th>To</th><th>Subject</th><th>Links</th><th class="when">Received</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}`;
	return layout('Inbox', body);
}

function messagePage(m: StoredMessage): string {
	const links = [...new Set(linksOf(m.HTML))];
	// The mail's HTML runs in a sandboxed frame without scripts; its links open outside it.
	const frame = `<base target="_blank">${m.HTML}`;
	const body = `<p><a href="/">← Inbox</a></p>
<h1>${escapeHtml(m.Subject || '(no subject)')}</h1>
<dl>
  <dt>From</dt><dd>${escapeHtml(`${m.From.Name} <${m.From.Address}>`)}</dd>
  <dt>To</dt><dd>${escapeHtml(m.To.map((t) => t.Address).join(', '))}</dd>
  <dt>Received</dt><dd><time datetime="${m.Created}">${escapeHtml(m.Created)}</time></dd>
  <dt>Links</dt><dd>${links.length ? links.map((h) => `<a href="${escapeHtml(h)}">${escapeHtml(h)}</a>`).join('<br>') : '—'}</dd>
</dl>
<h2>HTML</h2>
<iframe title="The message as HTML" sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${escapeHtml(frame)}"></iframe>
<h2>Text</h2>
<pre>${escapeHtml(m.Text)}</pre>`;
	return layout(m.Subject || 'Message', body);
}
