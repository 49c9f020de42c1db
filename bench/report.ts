// The one table every run prints, and bench/results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Summary } from './lib/stats.ts';

export interface Row {
	section: string;
	name: string;
	summary?: Summary;
	/** Statements per request besides the transaction framing. */
	queries?: number;
	/** Comparison with its baseline, e.g. "2.1× bare". */
	ratio?: string;
	/** A single number when there is no distribution (throughput, memory…). */
	value?: string;
	target?: { text: string; pass: boolean };
	/** Set when the row could not be measured (yet); printed instead of numbers. */
	missing?: string;
}

export function machine() {
	const cpus = os.cpus();
	return {
		cpus: cpus.length,
		cpuModel: cpus[0]?.model ?? 'unknown',
		memoryGb: Math.round(os.totalmem() / 2 ** 30),
		node: process.version,
		platform: `${os.type()} ${os.release()}`
	};
}

const ms = (n: number | undefined) =>
	n === undefined || Number.isNaN(n) ? '' : n < 10 ? n.toFixed(3) : n.toFixed(1);

export function renderTable(rows: Row[]): string {
	const header = ['measurement', 'p50 ms', 'p95 ms', 'n', 'q/req', 'compared', 'target', ''];
	const lines: string[][] = [];
	let section = '';
	const sectionLines = new Set<number>();
	for (const r of rows) {
		if (r.section !== section) {
			section = r.section;
			sectionLines.add(lines.length);
			lines.push([section.toUpperCase(), '', '', '', '', '', '', '']);
		}
		if (r.missing) {
			lines.push([`  ${r.name}`, '—', '—', '', '', r.missing, r.target?.text ?? '', 'NOT MEASURED']);
			continue;
		}
		lines.push([
			`  ${r.name}`,
			ms(r.summary?.p50),
			ms(r.summary?.p95),
			r.summary ? String(r.summary.n) : '',
			r.queries === undefined ? '' : String(r.queries),
			r.ratio ?? r.value ?? '',
			r.target?.text ?? '',
			r.target ? (r.target.pass ? 'PASS' : 'MISS') : ''
		]);
	}
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
	const numeric = new Set([1, 2, 3, 4]);
	const fmtLine = (l: string[]) =>
		l
			.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
			.join('  ')
			.trimEnd();
	const rule = widths.map((w) => '-'.repeat(w)).join('  ');
	const out = [fmtLine(header), rule];
	lines.forEach((l, i) => {
		if (sectionLines.has(i) && i > 0) out.push('');
		out.push(sectionLines.has(i) ? l[0] : fmtLine(l));
	});
	return out.join('\n');
}

export async function writeResults(file: string, result: Record<string, unknown>): Promise<void> {
	await mkdir(path.dirname(file), { recursive: true });
	await writeFile(file, JSON.stringify(result, null, '\t') + '\n');
}
