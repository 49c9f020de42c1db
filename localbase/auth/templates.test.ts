import { describe, expect, test } from 'vitest';
import { compileTemplate, goQueryEscape, TemplateError } from './templates.ts';

const render = (source: string, data: Record<string, unknown>) => compileTemplate(source, 't').render(data);

describe('email templates', () => {
	test('substitutes top-level values and .Data keys, with nothing for a missing value', () => {
		expect(
			render('{{ .Email }} / {{.Data.name}} / [{{ .Data.none }}] / [{{ .Nope }}]', {
				Email: 'a@b.c',
				Data: { name: 'Ann' }
			})
		).toBe('a@b.c / Ann / [] / []');
	});

	test('escapes values in HTML text and attributes', () => {
		const out = render('<p title="{{ .X }}">{{ .X }}</p>', { X: `<b>"Tom" & 'Jerry'</b>` });
		expect(out).toBe(
			'<p title="&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt;">&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>'
		);
	});

	test('a URL attribute may not start with a javascript: value', () => {
		expect(render('<a href="{{ .U }}">x</a>', { U: 'javascript:alert(1)' })).toBe(
			'<a href="#ZgotmplZ">x</a>'
		);
		expect(render('<a href="{{ .U }}">x</a>', { U: 'https://a.test/p?q=1&r=2' })).toBe(
			'<a href="https://a.test/p?q=1&amp;r=2">x</a>'
		);
	});

	test('a value in the query part of a URL attribute is query-escaped', () => {
		expect(
			render('<a href="{{ .S }}/c?next={{ .N }}&amp;t={{ .T }}">x</a>', {
				S: 'http://h:1',
				N: '/a b&c=d',
				T: 'pkce_ab'
			})
		).toBe('<a href="http://h:1/c?next=%2Fa+b%26c%3Dd&amp;t=pkce_ab">x</a>');
	});

	test('actions other than substitutions, and substitutions in scripts, styles or event attributes, are refused at load', () => {
		expect(() => compileTemplate('{{ if .X }}y{{ end }}', 'a')).toThrow(TemplateError);
		expect(() => compileTemplate('{{ .X | html }}', 'b')).toThrow(/only substitutions/);
		expect(() => compileTemplate('<script>var a = "{{ .X }}"</script>', 'c')).toThrow(/<script>/);
		expect(() => compileTemplate('<p onclick="{{ .X }}">', 'd')).toThrow(/onclick/);
		expect(() => compileTemplate('<p {{ .X }}>', 'e')).toThrow(/outside a quoted attribute/);
		expect(render('{{/* a comment */}}ok', {})).toBe('ok');
	});

	test('goQueryEscape matches Go: space as +, reserved and sub-delimiters encoded', () => {
		expect(goQueryEscape("a b/c?d=e&f#g!'()*~")).toBe('a+b%2Fc%3Fd%3De%26f%23g%21%27%28%29%2A~');
	});
});
