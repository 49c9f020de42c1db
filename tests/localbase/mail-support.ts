// Reading the mail catcher as a test would read Mailpit under `supabase start`: through its JSON
// API only (search by recipient, fetch a message, clear the inbox).

export interface MailSummary {
	ID: string;
	From: { Name: string; Address: string };
	To: { Name: string; Address: string }[];
	Subject: string;
	Created: string;
	Size: number;
	Read: boolean;
}

export interface MailMessage extends MailSummary {
	Text: string;
	HTML: string;
}

export interface MailList {
	total: number;
	unread: number;
	count: number;
	messages_count: number;
	start: number;
	messages: MailSummary[];
}

export async function mailsTo(mailUrl: string, address: string): Promise<MailSummary[]> {
	const res = await fetch(`${mailUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
	if (!res.ok) throw new Error(`mail search failed: ${res.status} ${await res.text()}`);
	const list = (await res.json()) as MailList;
	// `to:` matches by substring, as in Mailpit; the exact recipient is what a test means.
	return list.messages.filter((m) => m.To.some((to) => to.Address.toLowerCase() === address.toLowerCase()));
}

export async function getMail(mailUrl: string, id: string): Promise<MailMessage> {
	const res = await fetch(`${mailUrl}/api/v1/message/${encodeURIComponent(id)}`);
	if (!res.ok) throw new Error(`mail ${id}: ${res.status} ${await res.text()}`);
	return (await res.json()) as MailMessage;
}

/** The newest message to `address`, waiting up to `timeoutMs` for one to arrive. */
export async function latestMailTo(mailUrl: string, address: string, timeoutMs = 3000): Promise<MailMessage> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const [newest] = await mailsTo(mailUrl, address);
		if (newest) return getMail(mailUrl, newest.ID);
		if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** The link of a mail that carries a token (the first one with `token_hash` or `token=`), decoded. */
export function linkIn(mail: Pick<MailMessage, 'HTML'>): string {
	for (const m of mail.HTML.matchAll(/href="([^"]*)"/g)) {
		const href = m[1].replace(/&amp;/g, '&').replace(/&#34;/g, '"').replace(/&#39;/g, "'");
		if (/[?&](token_hash|token)=/.test(href)) return href;
	}
	throw new Error(`no token link in the mail:\n${mail.HTML}`);
}

export async function clearInbox(mailUrl: string): Promise<void> {
	const res = await fetch(`${mailUrl}/api/v1/messages`, { method: 'DELETE' });
	if (!res.ok) throw new Error(`clearing the inbox failed: ${res.status}`);
}
