// Email templates as Supabase Auth renders them: Go's html/template with `{{ .Name }}` and
// `{{ .Data.key }}` substitutions, each value escaped for where it stands (HTML text, an attribute,
// the start of a URL, a URL's query). Hand-written because no maintained npm package renders Go
// templates with html/template's contextual escaping, which is what keeps a user's own metadata
// (`.Data`) from injecting markup or links into a mail. Only substitutions are supported; any
// other action (`if`, `range`, pipelines) is refused when the template is loaded, naming it.

export type TemplateData = Record<string, unknown>;

type Context =
	{ kind: 'text' } | { kind: 'attr' } | { kind: 'url-start' } | { kind: 'url-path' } | { kind: 'url-query' };

type Part = { literal: string } | { path: string[]; context: Context };

const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'cite', 'poster', 'background']);

export class TemplateError extends Error {}

export interface CompiledTemplate {
	render(data: TemplateData): string;
}

export function compileTemplate(source: string, name: string): CompiledTemplate {
	const parts: Part[] = [];
	// The literal text seen so far, with each substitution standing in as a neutral character, so
	// that the context of the next one is read from what precedes it.
	let seen = '';
	let last = 0;
	for (const m of source.matchAll(/\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g)) {
		const literal = source.slice(last, m.index);
		parts.push({ literal });
		seen += literal;
		const action = m[2];
		if (/^\/\*[\s\S]*\*\/$/.test(action)) {
			last = m.index + m[0].length;
			continue;
		}
		if (!/^\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(action)) {
			throw new TemplateError(
				`template ${name}: localbase renders only substitutions such as {{ .ConfirmationURL }} or {{ .Data.key }}, not {{ ${action} }}`
			);
		}
		parts.push({ path: action.slice(1).split('.'), context: contextAt(seen, name, action) });
		seen += 'x';
		last = m.index + m[0].length;
	}
	parts.push({ literal: source.slice(last) });
	return {
		render(data) {
			return parts
				.map((p) => ('literal' in p ? p.literal : escapeFor(p.context, stringify(lookup(data, p.path)))))
				.join('');
		}
	};
}

function lookup(data: unknown, path: string[]): unknown {
	let v = data;
	for (const key of path) {
		if (typeof v !== 'object' || v === null) return undefined;
		v = (v as Record<string, unknown>)[key];
	}
	return v;
}

/** html/template prints nothing for a missing value, and Go's formatting for the rest. */
function stringify(v: unknown): string {
	if (v === undefined || v === null) return '';
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	return JSON.stringify(v);
}

/** Where a substitution stands, read from the template text before it. */
function contextAt(before: string, name: string, action: string): Context {
	const lower = before.toLowerCase();
	const refuse = (where: string) =>
		new TemplateError(`template ${name}: localbase does not substitute {{ ${action} }} inside ${where}`);
	const openScript = lower.lastIndexOf('<script');
	if (openScript >= 0 && openScript > lower.lastIndexOf('</script')) throw refuse('a <script> element');
	const openStyle = lower.lastIndexOf('<style');
	if (openStyle >= 0 && openStyle > lower.lastIndexOf('</style')) throw refuse('a <style> element');
	const tagStart = before.lastIndexOf('<');
	if (tagStart < 0 || tagStart < before.lastIndexOf('>')) return { kind: 'text' };
	// Inside a tag: find whether the substitution is in a quoted attribute value, and which.
	const tag = before.slice(tagStart);
	let quote: string | null = null;
	let attribute = '';
	let valueStart = 0;
	for (let i = 0; i < tag.length; i++) {
		const c = tag[i];
		if (quote) {
			if (c === quote) quote = null;
		} else if (c === '"' || c === "'") {
			quote = c;
			valueStart = i + 1;
			attribute = /([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*$/.exec(tag.slice(0, i))?.[1]?.toLowerCase() ?? '';
		}
	}
	if (!quote) throw refuse('a tag outside a quoted attribute value');
	if (attribute.startsWith('on') || attribute === 'style') throw refuse(`the ${attribute} attribute`);
	if (!urlAttributes.has(attribute)) return { kind: 'attr' };
	const value = tag.slice(valueStart);
	if (value.trim() === '') return { kind: 'url-start' };
	return /[?#]/.test(value) ? { kind: 'url-query' } : { kind: 'url-path' };
}

const htmlEscapes: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&#34;',
	"'": '&#39;',
	'\0': '\uFFFD'
};
const escapeHtml = (s: string) => s.replace(/[&<>"'\0]/g, (c) => htmlEscapes[c]);

/** Percent-encodes what may not appear in a URL, keeping its structure (and existing escapes). */
const normalizeUrl = (s: string) =>
	s.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu, (c) => encodeURIComponent(c)).replace(/'/g, '%27');

function escapeFor(context: Context, value: string): string {
	switch (context.kind) {
		case 'text':
		case 'attr':
			return escapeHtml(value);
		case 'url-start': {
			// A URL that starts with a scheme other than http, https or mailto is replaced, so that a
			// value can never become a javascript: link.
			const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
			if (scheme && !['http', 'https', 'mailto'].includes(scheme)) return '#ZgotmplZ';
			return escapeHtml(normalizeUrl(value));
		}
		case 'url-path':
			return escapeHtml(normalizeUrl(value));
		case 'url-query':
			return escapeHtml(goQueryEscape(value));
	}
}

/** Go's url.QueryEscape: everything but letters, digits and `-_.~` is percent-encoded, space as `+`. */
export function goQueryEscape(s: string): string {
	return encodeURIComponent(s)
		.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
		.replace(/%20/g, '+');
}
