// Links in message text (linkifyjs finds them): only web links become links. Everything else —
// emails, `javascript:` and other schemes — stays text, so a message can never carry a script link.
import { tokenize } from 'linkifyjs';

export type TextPart = { text: string; href?: undefined } | { text: string; href: string };

/** The text cut into plain runs and http(s) links, in order; joined, the parts give the text back. */
export function linkParts(text: string): TextPart[] {
	const parts: TextPart[] = [];
	const push = (part: TextPart) => {
		const last = parts.at(-1);
		if (!part.href && last && !last.href) last.text += part.text;
		else parts.push(part);
	};
	for (const token of tokenize(text)) {
		const shown = token.toString();
		if (token.isLink && token.t === 'url') {
			// "example.com" has no scheme: it opens as https.
			const href = token.toHref('https');
			if (/^https?:\/\//i.test(href)) {
				push({ text: shown, href });
				continue;
			}
		}
		push({ text: shown });
	}
	return parts;
}
