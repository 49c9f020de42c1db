// Supabase Auth's mailer: the one-time tokens it emails (a numeric code and its hash), the links
// into GET /verify, and each kind's template from `[auth.email.template.<kind>]`, handed to the
// mail catcher in-process. Templates are read again for every message (as the CLI has Auth do), so
// an edited template shows in the next mail; one that does not parse fails at start.
import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EmailKind, LocalbaseConfig } from '../config.ts';
import type { OutgoingMail } from '../mail/index.ts';
import { compileTemplate, goQueryEscape, type TemplateData } from './templates.ts';

/** Subjects and bodies for a kind config.toml gives no template for (Supabase Auth has its own). */
const defaults: Record<EmailKind, { subject: string; body: string }> = {
	confirmation: {
		subject: 'Confirm your signup',
		body: '<h2>Confirm your signup</h2>\n<p>Follow this link to confirm your email address:</p>\n<p><a href="{{ .ConfirmationURL }}">Confirm your email</a></p>\n'
	},
	invite: {
		subject: 'You have been invited',
		body: '<h2>You have been invited</h2>\n<p>Follow this link to accept the invitation:</p>\n<p><a href="{{ .ConfirmationURL }}">Accept the invitation</a></p>\n'
	},
	recovery: {
		subject: 'Reset your password',
		body: '<h2>Reset your password</h2>\n<p>Follow this link to choose a new password:</p>\n<p><a href="{{ .ConfirmationURL }}">Reset your password</a></p>\n'
	},
	magic_link: {
		subject: 'Your sign-in link',
		body: '<h2>Your sign-in link</h2>\n<p>Follow this link to sign in:</p>\n<p><a href="{{ .ConfirmationURL }}">Sign in</a></p>\n'
	},
	email_change: {
		subject: 'Confirm email change',
		body: '<h2>Confirm email change</h2>\n<p>Follow this link to confirm the change of your email from {{ .Email }} to {{ .NewEmail }}:</p>\n<p><a href="{{ .ConfirmationURL }}">Change email</a></p>\n'
	},
	reauthentication: {
		subject: 'Confirm reauthentication',
		body: '<h2>Confirm reauthentication</h2>\n<p>Enter the code: {{ .Token }}</p>\n'
	}
};

/** The `type` GET /verify reads from each kind's link. */
const linkTypes: Record<EmailKind, string> = {
	confirmation: 'signup',
	invite: 'invite',
	recovery: 'recovery',
	magic_link: 'magiclink',
	email_change: 'email_change',
	reauthentication: ''
};

export interface EmailToken {
	/** The code a user can type (`otp_length` digits). */
	otp: string;
	/** What is stored and put in links: hex SHA-224 of email + code, `pkce_`-prefixed in PKCE. */
	hash: string;
}

export function newEmailToken(email: string, otpLength: number, pkce: boolean): EmailToken {
	const otp = Array.from({ length: otpLength }, () => randomInt(10)).join('');
	const hash = tokenHash(email, otp);
	return { otp, hash: pkce ? `pkce_${hash}` : hash };
}

export const tokenHash = (email: string, otp: string) =>
	createHash('sha224')
		.update(email + otp)
		.digest('hex');

/** Checks every configured template exists and parses, so a broken one stops localbase at start. */
export function checkTemplates(config: LocalbaseConfig): void {
	for (const [kind, t] of Object.entries(config.auth.email.templates)) {
		if (t?.contentPath) loadBody(kind as EmailKind, config);
		if (t?.subject) compileTemplate(t.subject, `${kind} subject`);
	}
}

function loadBody(kind: EmailKind, config: LocalbaseConfig): string {
	const file = config.auth.email.templates[kind]?.contentPath;
	if (!file) return defaults[kind].body;
	let source: string;
	try {
		source = readFileSync(file, 'utf8');
	} catch (err) {
		throw new Error(
			`localbase: the ${kind} email template ${file} (auth.email.template.${kind}.content_path) cannot be read: ${(err as Error).message}`,
			{ cause: err }
		);
	}
	compileTemplate(source, file);
	return source;
}

export interface AuthMail {
	kind: EmailKind;
	to: string;
	token?: EmailToken;
	/** The validated redirect (site URL when none was allowed). */
	redirectTo: string;
	/** `http://<host>/auth/v1`, the base of the GET /verify link. */
	externalUrl: string;
	email: string;
	newEmail?: string;
	data: Record<string, unknown> | null;
}

/** Renders the kind's template into the message the catcher receives. */
export function renderAuthMail(config: LocalbaseConfig, mail: AuthMail): OutgoingMail {
	const settings = config.auth.email.templates[mail.kind];
	const body = compileTemplate(
		loadBody(mail.kind, config),
		settings?.contentPath ?? `${mail.kind} (default)`
	);
	const subject = compileTemplate(settings?.subject ?? defaults[mail.kind].subject, `${mail.kind} subject`);
	const data: TemplateData = {
		SiteURL: config.auth.siteUrl,
		Email: mail.email,
		Data: mail.data ?? {},
		RedirectTo: mail.redirectTo
	};
	if (mail.token) {
		data.Token = mail.token.otp;
		if (mail.kind !== 'reauthentication') {
			data.TokenHash = mail.token.hash;
			data.ConfirmationURL = `${mail.externalUrl}/verify?token=${goQueryEscape(mail.token.hash)}&type=${linkTypes[mail.kind]}&redirect_to=${encodeRedirect(mail.redirectTo)}`;
		}
	}
	if (mail.kind === 'email_change') {
		data.NewEmail = mail.newEmail;
	}
	return {
		from: { Name: config.mail.senderName, Address: config.mail.adminEmail },
		to: mail.to,
		subject: subject.render(data),
		html: body.render(data)
	};
}

/** As Supabase Auth writes redirect_to into a link: escaped only when it holds `&`, `=` or `#`. */
function encodeRedirect(url: string): string {
	return /[&=#]/.test(url) ? goQueryEscape(url) : url;
}
