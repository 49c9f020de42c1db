// Section 6a: the JavaScript the messages page loads, gzipped. The app is built (`vite build`) in a
// temporary copy of the working tree, so a run never races with whatever else builds into the
// shared .svelte-kit/ and build/ (e2e, preview) and never leaves build output behind. The files are
// then read from the build's own manifests:
//   - SvelteKit's server manifest (.svelte-kit/output/server/manifest.js) names the client entry
//     (start + app) and, for the route /(app)/messages/[conversationId], its layout and page nodes;
//   - Vite's client manifest (.svelte-kit/output/client/.vite/manifest.json) gives each of those
//     entries' static imports, followed transitively.
// Each file is gzipped alone with zlib level 9 (as a server would send it) and the sizes summed.
// Dynamic imports are not loaded by the page and are reported apart. The build also writes hidden
// source maps (no sourceMappingURL comment, so the measured files are byte-identical to a normal
// build's): they attribute every byte of a chunk to the package or source file it came from.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { nowMs } from './lib/stats.ts';
import type { Row } from './report.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const section = '6 app and push';
export const MESSAGES_ROUTE = '/(app)/messages/[conversationId]';
/**
 * Other pages' first loads, reported beside the messages page's (no target): the build groups
 * chunks by the family of pages that loads them (vite.config.ts), so a page's JavaScript can grow
 * when another's shrinks. The first page of someone new (sign-in, an invitation) and two signed-in
 * pages of a trainer.
 */
export const OTHER_ROUTES = ['/(public)/sign-in', '/join/[code]', '/(app)/settings', '/(app)/trainees'];
/** What the build needs from the working tree; node_modules is linked, not copied. */
const BUILD_INPUTS = [
	'src',
	'db',
	'static',
	'svelte.config.js',
	'vite.config.ts',
	'package.json',
	'tsconfig.json'
];
const TARGET_BYTES = 100_000; // 100 kB as Vite reports sizes (1 kB = 1,000 bytes)

export interface PageFile {
	file: string;
	/** Which manifest entry pulled it in first: entry, a node (layout/page) or a shared chunk. */
	role: string;
	raw: number;
	gzip: number;
}

export interface Contributor {
	name: string;
	raw: number;
	/** The file's gzip size shared out in proportion to the raw bytes this source produced. */
	gzipEstimate: number;
}

export interface PageJs {
	route: string;
	build: {
		how: string;
		seconds: number;
		commit: string;
		/** Build inputs that differ from HEAD. */ uncommitted: string[];
	};
	files: PageFile[];
	raw: number;
	gzip: number;
	/** Chunks only reachable through dynamic import(): not loaded with the page. */
	dynamicOnly: PageFile[];
	contributors: Contributor[];
	/** Differences from SvelteKit's own modulepreload list for the route (empty when they agree). */
	preloadMismatch: string[];
	/** OTHER_ROUTES, measured the same way (information). */
	otherPages: { route: string; gzip: number; files: number }[];
}

interface ViteChunk {
	file: string;
	name?: string;
	src?: string;
	isEntry?: boolean;
	imports?: string[];
	dynamicImports?: string[];
}

interface RouteEntry {
	id: string;
	page: { layouts: (number | undefined)[]; leaf: number } | null;
}

interface ServerManifest {
	_: {
		client: { start: string; app: string; imports: string[] };
		routes: RouteEntry[];
	};
}

/**
 * Builds the app in a temporary directory and measures the messages page. `from`: the working tree
 * as it is (default: what a developer is changing), or the files committed at HEAD (reproducible,
 * whatever is being edited meanwhile).
 */
export async function measurePageJs(
	log: (line: string) => void,
	/** The working tree, or the files committed at a git revision (`HEAD`, a commit, a branch). */
	from: 'worktree' | 'HEAD' | { revision: string } = 'worktree',
	/** Runs with the built app's directory before it is removed (the browser benchmarks run it). */
	withBuild?: (dir: string) => Promise<void>
): Promise<PageJs> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'spotter-bench-app-'));
	try {
		if (from !== 'worktree') {
			const revision = from === 'HEAD' ? 'HEAD' : from.revision;
			await capture(
				'sh',
				['-c', `git archive "$1" -- ${BUILD_INPUTS.join(' ')} | tar -x -C "$0"`, dir, revision],
				repo
			);
		} else {
			for (const input of BUILD_INPUTS) {
				await cp(path.join(repo, input), path.join(dir, input), { recursive: true });
			}
		}
		await symlink(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
		const started = nowMs();
		await capture(
			process.execPath,
			[path.join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--sourcemap', 'hidden'],
			dir
		);
		const seconds = (nowMs() - started) / 1000;
		const git = await gitState();
		const how =
			from === 'worktree'
				? 'vite build in a temporary copy of the working tree'
				: `vite build of the files committed at ${from === 'HEAD' ? 'HEAD' : from.revision}, in a temporary directory`;
		log(`  ${how}: ${seconds.toFixed(1)} s`);
		const measured = await measureBuild(path.join(dir, '.svelte-kit', 'output'), MESSAGES_ROUTE);
		const otherPages = await measureOtherPages(path.join(dir, '.svelte-kit', 'output'));
		if (withBuild) await withBuild(dir);
		return {
			...measured,
			otherPages,
			build: { how, seconds, commit: git.commit, uncommitted: from === 'worktree' ? git.uncommitted : [] }
		};
	} finally {
		// The copy's node_modules is a symlink: rm removes the link, never what it points to.
		await rm(dir, { recursive: true, force: true });
	}
}

/** OTHER_ROUTES' first loads in a finished build. */
export async function measureOtherPages(output: string): Promise<PageJs['otherPages']> {
	const pages: PageJs['otherPages'] = [];
	for (const route of OTHER_ROUTES) {
		const page = await measureBuild(output, route);
		pages.push({ route, gzip: page.gzip, files: page.files.length });
	}
	return pages;
}

/** Measures a finished build (`output` = its .svelte-kit/output directory). */
export async function measureBuild(
	output: string,
	routeId: string
): Promise<Omit<PageJs, 'build' | 'otherPages'>> {
	const client = path.join(output, 'client');
	const vite = JSON.parse(await readFile(path.join(client, '.vite', 'manifest.json'), 'utf8')) as Record<
		string,
		ViteChunk
	>;
	const server = (await import(pathToFileURL(path.join(output, 'server', 'manifest.js')).href)) as {
		manifest: ServerManifest;
	};
	const { client: entry, routes } = server.manifest._;
	const route = routes.find((r) => r.id === routeId);
	if (!route?.page) throw new Error(`route ${routeId} not in the build's manifest`);
	const nodes = [...route.page.layouts.filter((n): n is number => n !== undefined), route.page.leaf];

	const byFile = new Map(Object.entries(vite).map(([key, chunk]) => [chunk.file, key]));
	const keyOf = (file: string) => {
		const key = byFile.get(file);
		if (!key) throw new Error(`${file} is not in the Vite manifest`);
		return key;
	};
	const roots: [string, string][] = [
		[keyOf(entry.start), 'entry start'],
		[keyOf(entry.app), 'entry app'],
		...nodes.map((n): [string, string] => {
			const key = `.svelte-kit/generated/client-optimized/nodes/${n}.js`;
			if (!vite[key]) throw new Error(`node ${n} is not in the Vite manifest`);
			return [key, `node ${n} (${n === route.page!.leaf ? 'page' : 'layout'})`];
		})
	];

	// Static imports, transitively, breadth-first from the roots.
	const role = new Map<string, string>();
	const queue: string[] = [];
	for (const [key, r] of roots) {
		if (!role.has(key)) {
			role.set(key, r);
			queue.push(key);
		}
	}
	for (let i = 0; i < queue.length; i++) {
		for (const imported of vite[queue[i]].imports ?? []) {
			if (role.has(imported)) continue;
			role.set(imported, 'shared chunk');
			queue.push(imported);
		}
	}
	const dynamicKeys = new Set<string>();
	for (const key of queue) {
		for (const d of vite[key].dynamicImports ?? []) if (!role.has(d)) dynamicKeys.add(d);
	}
	// app.js lazily imports every node of the app; those are other routes, not this page's code.
	for (const key of [...dynamicKeys]) if (key.includes('/client-optimized/nodes/')) dynamicKeys.delete(key);

	const files: PageFile[] = [];
	const contributions = new Map<string, { raw: number; gzip: number }>();
	for (const key of queue) {
		const file = vite[key].file;
		if (!file.endsWith('.js')) continue;
		const code = await readFile(path.join(client, file));
		const gzip = gzipSync(code, { level: 9 }).length;
		files.push({ file, role: role.get(key)!, raw: code.length, gzip });
		for (const [name, raw] of await attribute(path.join(client, file), code.toString('utf8'))) {
			const c = contributions.get(name) ?? { raw: 0, gzip: 0 };
			c.raw += raw;
			c.gzip += (gzip * raw) / code.length;
			contributions.set(name, c);
		}
	}
	const dynamicOnly: PageFile[] = [];
	for (const key of dynamicKeys) {
		const file = vite[key].file;
		const code = await readFile(path.join(client, file));
		dynamicOnly.push({
			file,
			role: 'dynamic import',
			raw: code.length,
			gzip: gzipSync(code, { level: 9 }).length
		});
	}

	// Cross-check with the modulepreload list SvelteKit itself renders for the route.
	const preload = new Set(entry.imports);
	for (const n of nodes) {
		const text = await readFile(path.join(output, 'server', 'nodes', `${n}.js`), 'utf8');
		const match = /export const imports = (\[[^\]]*\]);/.exec(text);
		for (const f of match ? (JSON.parse(match[1]) as string[]) : []) preload.add(f);
	}
	const ours = new Set(files.map((f) => f.file));
	const preloadMismatch = [
		...[...preload]
			.filter((f) => f.endsWith('.js') && !ours.has(f))
			.map((f) => `SvelteKit preloads ${f}, not counted`),
		...[...ours].filter((f) => !preload.has(f)).map((f) => `counted ${f}, SvelteKit does not preload it`)
	];

	files.sort((a, b) => b.gzip - a.gzip);
	return {
		route: routeId,
		files,
		raw: files.reduce((s, f) => s + f.raw, 0),
		gzip: files.reduce((s, f) => s + f.gzip, 0),
		dynamicOnly,
		contributors: [...contributions]
			.map(([name, c]) => ({ name, raw: c.raw, gzipEstimate: Math.round(c.gzip) }))
			.sort((a, b) => b.gzipEstimate - a.gzipEstimate),
		preloadMismatch
	};
}

export function pageJsRows(m: PageJs): Row[] {
	const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;
	const top = m.contributors.slice(0, 3).map((c) => `${c.name} ~${kb(c.gzipEstimate)}`);
	return [
		{
			section,
			name: `messages page JS (${m.route}): entry + layouts + page, static imports, ${m.files.length} files`,
			value: `${kb(m.gzip)} = ${(m.gzip / 1024).toFixed(1)} KiB gzip -9 (${kb(m.raw)} raw)`,
			target: { text: '≤ 100 kB gzip', pass: m.gzip <= TARGET_BYTES }
		},
		{
			section,
			name: '  largest contributors (gzip shared out by source map)',
			value: top.join(', ')
		},
		{
			section,
			name: '  other pages, the same way (no target)',
			value: m.otherPages.map((o) => `${o.route} ${kb(o.gzip)} (${o.files} files)`).join(', ')
		}
	];
}

export function describePageJs(m: PageJs): string[] {
	const kb = (n: number) => `${(n / 1000).toFixed(1)}`.padStart(6);
	const lines = [
		`Messages page JS: ${(m.gzip / 1000).toFixed(1)} kB gzip -9 over ${m.files.length} files ` +
			`(${m.build.how}, ${m.build.seconds.toFixed(1)} s, at ${m.build.commit}` +
			(m.build.uncommitted.length ? ` + ${m.build.uncommitted.length} uncommitted file(s)` : '') +
			')',
		'  by file (kB gzip, kB raw):'
	];
	for (const f of m.files.slice(0, 8)) lines.push(`    ${kb(f.gzip)} ${kb(f.raw)}  ${f.file}  [${f.role}]`);
	if (m.files.length > 8) {
		const rest = m.files.slice(8);
		lines.push(
			`    ${kb(rest.reduce((s, f) => s + f.gzip, 0))} ${kb(rest.reduce((s, f) => s + f.raw, 0))}  ${rest.length} more files`
		);
	}
	lines.push('  other pages, the same way (kB gzip, files):');
	for (const o of m.otherPages) lines.push(`    ${kb(o.gzip)} ${String(o.files).padStart(6)}  ${o.route}`);
	lines.push('  by source (kB gzip estimated, kB raw):');
	for (const c of m.contributors.slice(0, 10))
		lines.push(`    ${kb(c.gzipEstimate)} ${kb(c.raw)}  ${c.name}`);
	if (m.dynamicOnly.length) {
		const d = m.dynamicOnly;
		lines.push(
			`  not counted: ${d.length} chunk(s) loaded only by dynamic import(), ` +
				`${(d.reduce((s, f) => s + f.gzip, 0) / 1000).toFixed(1)} kB gzip`
		);
	}
	if (m.build.uncommitted.length) {
		const shown = m.build.uncommitted.slice(0, 6).join(', ');
		const more = m.build.uncommitted.length > 6 ? `, … (${m.build.uncommitted.length} in all)` : '';
		lines.push(`  built with uncommitted changes to: ${shown}${more} (--app-at-head builds HEAD)`);
	}
	for (const mismatch of m.preloadMismatch) lines.push(`  WARNING: ${mismatch}`);
	return lines;
}

// ---------------------------------------------------------------------------------------------
// Source-map attribution: every generated character is charged to the source of the mapping
// segment it falls in; sources are grouped by npm package, app files by their path under src/.

export async function attribute(file: string, code: string): Promise<Map<string, number>> {
	const out = new Map<string, number>();
	const add = (name: string, n: number) => n > 0 && out.set(name, (out.get(name) ?? 0) + n);
	let map: { sources: string[]; mappings: string };
	try {
		map = JSON.parse(await readFile(`${file}.map`, 'utf8'));
	} catch {
		add('(no source map)', Buffer.byteLength(code));
		return out;
	}
	const names = map.sources.map(sourceGroup);
	const lines = code.split('\n');
	const mapped = map.mappings.split(';');
	let source = 0;
	for (let l = 0; l < lines.length; l++) {
		const line = lines[l];
		const segments = decodeLine(mapped[l] ?? '', source);
		source = segments.lastSource;
		let col = 0;
		let current = '(generated code without a source mapping)';
		for (const seg of segments.list) {
			add(current, Buffer.byteLength(line.slice(col, seg.col)));
			col = seg.col;
			current =
				seg.source === undefined
					? '(generated code without a source mapping)'
					: (names[seg.source] ?? '(generated code without a source mapping)');
		}
		add(current, Buffer.byteLength(line.slice(col)) + (l < lines.length - 1 ? 1 : 0));
	}
	return out;
}

function sourceGroup(source: string): string {
	const s = source.replaceAll('\\', '/');
	const nm = s.lastIndexOf('node_modules/');
	if (nm >= 0) {
		const parts = s.slice(nm + 'node_modules/'.length).split('/');
		return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
	}
	const src = s.indexOf('/src/');
	if (src >= 0 || s.startsWith('src/')) return `app ${s.slice(src >= 0 ? src + 1 : 0)}`;
	return s.replace(/^(\.\.\/)+/, '');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

/** One line of a v3 `mappings` string: segment columns and their source index (source is relative across lines). */
function decodeLine(text: string, previousSource: number) {
	const list: { col: number; source?: number }[] = [];
	let col = 0;
	let source = previousSource;
	for (const segment of text.split(',')) {
		if (!segment) continue;
		const fields: number[] = [];
		let value = 0;
		let shift = 0;
		for (const ch of segment) {
			const digit = B64_VALUE.get(ch);
			if (digit === undefined) throw new Error(`bad source map character ${ch}`);
			value += (digit & 31) << shift;
			if (digit & 32) {
				shift += 5;
			} else {
				fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
				value = 0;
				shift = 0;
			}
		}
		col += fields[0];
		if (fields.length >= 4) {
			source += fields[1];
			list.push({ col, source });
		} else {
			list.push({ col });
		}
	}
	list.sort((a, b) => a.col - b.col);
	return { list, lastSource: source };
}

async function gitState(): Promise<{ commit: string; uncommitted: string[] }> {
	const commit = (await capture('git', ['rev-parse', '--short', 'HEAD'], repo)).trim();
	const status = await capture('git', ['status', '--porcelain', '--', ...BUILD_INPUTS], repo);
	const uncommitted = status
		.split('\n')
		.filter((l) => l.trim())
		.map((l) => l.slice(3));
	return { commit, uncommitted };
}

function capture(cmd: string, args: string[], cwd: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		child.stderr.on('data', (d: Buffer) => (out += d.toString()));
		child.on('error', reject);
		child.on('exit', (code) =>
			code === 0
				? resolve(out)
				: reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`))
		);
	});
}

// `npx tsx bench/app.ts [--app-at-head | --output .svelte-kit/output]`: this section alone, from a
// fresh build (of the working tree or of HEAD) or from an existing build.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const at = process.argv.indexOf('--output');
	const result =
		at > 0
			? {
					...(await measureBuild(path.resolve(process.argv[at + 1]), MESSAGES_ROUTE)),
					otherPages: await measureOtherPages(path.resolve(process.argv[at + 1])),
					build: { how: `existing build in ${process.argv[at + 1]}`, seconds: 0, ...(await gitState()) }
				}
			: await measurePageJs(
					(l) => console.log(l),
					process.argv.includes('--app-at-head') ? 'HEAD' : 'worktree'
				);
	for (const line of describePageJs(result)) console.log(line);
}
