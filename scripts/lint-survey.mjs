#!/usr/bin/env node
// KL Lint on real code: lints every repository under a folder (checkouts made for the purpose and
// kept outside the project, never committed), counts the findings per rule and per repository, and
// writes each finding with the code around it to a review file, so that every one can be read and
// judged a true finding or a false alarm.
//
//   node scripts/lint-survey.mjs FOLDER [REVIEW.md]     (after npm run build)
//
// FOLDER holds one checkout per folder (e.g. owner+name). The review file (default
// FOLDER/kl-lint-review.md) has a "verdict" line under each finding to fill in.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const [folder, reviewArg] = process.argv.slice(2);
if (!folder) {
  console.error('usage: node scripts/lint-survey.mjs FOLDER [REVIEW.md]');
  process.exit(2);
}
const base = resolve(folder);
const review = resolve(reviewArg ?? join(base, 'kl-lint-review.md'));
const repos = readdirSync(base).filter((d) => statSync(join(base, d)).isDirectory()).sort();

const RULES = ['KL001', 'KL002', 'KL003', 'KL004', 'KL005', 'KL006', 'KL007', 'KL008', 'KL009', 'KL010'];
const perRule = Object.fromEntries(RULES.map((r) => [r, 0]));
const rows = [];
const findings = [];
let files = 0;
const started = Date.now();
for (const repo of repos) {
  const dir = join(base, repo);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, 'lint', '--format', 'json', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1 && r.status !== 2) throw new Error(`${repo}: kl-lens lint failed: ${r.stderr}`);
  const found = JSON.parse(r.stdout || '[]');
  const checked = Number(/\((\d+) files? checked/.exec(r.stderr)?.[1] ?? NaN);
  const syntax = (r.stderr.match(/^error: .*syntax error/gm) ?? []).length;
  const ms = Date.now() - t0;
  const counts = Object.fromEntries(RULES.map((x) => [x, found.filter((f) => f.rule === x).length]));
  for (const x of RULES) perRule[x] += counts[x];
  rows.push({ repo, found: found.length, counts, syntax, ms });
  for (const f of found) findings.push({ repo, ...f });
  files += Number.isFinite(checked) ? checked : 0;
}
for (const f of findings) {
  let source;
  try {
    const text = readFileSync(f.path, 'utf8');
    if (f.cell !== undefined) {
      const cell = JSON.parse(text).cells[f.cell];
      source = (Array.isArray(cell.source) ? cell.source.join('') : cell.source).split('\n');
    } else source = text.split('\n');
  } catch {
    source = [];
  }
  const from = Math.max(0, f.line - 5);
  f.context = source
    .slice(from, f.endLine + 2)
    .map((l, i) => `${from + i + 1 === f.line ? '>' : ' '}${String(from + i + 1).padStart(5)}  ${l}`)
    .join('\n');
}

const out = [];
out.push(`# KL Lint on ${repos.length} repositories (${files} files), ${new Date().toISOString().slice(0, 10)}`);
out.push('');
out.push(`${findings.length} findings in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
out.push('');
out.push(`| rule | findings |`);
out.push(`|---|---:|`);
for (const r of RULES) out.push(`| ${r} | ${perRule[r]} |`);
out.push('');
out.push(`| repository | findings | ${RULES.join(' | ')} | syntax errors | time |`);
out.push(`|---|---:|${RULES.map(() => '---:').join('|')}|---:|---:|`);
for (const row of rows) out.push(`| ${row.repo} | ${row.found} | ${RULES.map((x) => row.counts[x] || '').join(' | ')} | ${row.syntax || ''} | ${(row.ms / 1000).toFixed(1)} s |`);
out.push('');
out.push('## Findings');
for (const f of findings) {
  const where = `${f.path.slice(base.length + 1)}${f.cell !== undefined ? ` cell ${f.cell}` : ''}:${f.line}:${f.column}`;
  out.push('', `### ${f.rule} ${where}`, '', f.message, '', '```python', f.context, '```', '', 'verdict: ');
}
writeFileSync(review, `${out.join('\n')}\n`);
console.log(out.slice(0, 16 + RULES.length + rows.length).join('\n'));
console.log(`\nreview: ${review}`);
