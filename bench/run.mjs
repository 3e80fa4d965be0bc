// `npm run bench`: KL Lens against its anchors, whole process, on the same files, run alternately.
//
//   BENCH_RUNS=N   timed runs of each command (default 5); the median is reported
//   BENCH_QUICK=1  skip the 400 MB workloads (for a quick look; the targets need them)
//
//   KL_LENS_BENCH_TRAINER=path  also time KL Lint on a trainer file of your own (e.g. TRL's grpo_trainer.py)
//
// Inputs are generated once into bench/data (git-ignored): NumPy via /usr/bin/python3 when it is
// there (bench/generate.py), otherwise bench/inputs.mjs. Anchors (bench/anchors/*.py) run with
// /usr/bin/python3 and are skipped, with a note, when PyTorch or SciPy is missing. Wall time is
// measured here; peak RSS by /usr/bin/time (or not at all, with a note). The last table is also
// written to bench/data/report.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { watPlugin } from '../scripts/wat.mjs';
import { writeInputs } from './inputs.mjs';
import { writeTree } from './lintInputs.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const data = join(root, 'bench', 'data');
const cli = join(root, 'dist', 'cli.js');
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const quick = process.env.BENCH_QUICK === '1';
const python = '/usr/bin/python3';
const timeBin = '/usr/bin/time';
const notes = [];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function hasPython(modules) {
  if (!existsSync(python)) return false;
  return spawnSync(python, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command once: wall time (ms), peak RSS (MiB, when /usr/bin/time exists), stdout. */
function measure(command, args, ok = [0]) {
  const timed = existsSync(timeBin);
  const argv = timed ? [timeBin, '-f', 'maxrss_kb=%M', command, ...args] : [command, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: data, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!ok.includes(r.status)) throw new Error(`${[command, ...args].join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  const rss = timed ? Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1]) / 1024 : NaN;
  return { ms, rss, stdout: r.stdout };
}

/** Reads a file once so every contender starts with it in the page cache. */
function warm(file) {
  const fd = openSync(join(data, file), 'r');
  const buf = Buffer.alloc(1 << 24);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

// --- build the shipped bundles, and the in-process micro benchmarks -----------------------------
execFileSync(process.execPath, [join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
mkdirSync(data, { recursive: true });
const microDir = mkdtempSync(join(tmpdir(), 'kl-lens-bench-'));
const micro = join(microDir, 'micro.cjs');
await esbuild.build({ entryPoints: [join(root, 'bench', 'micro.ts')], outfile: micro, bundle: true, platform: 'node', format: 'cjs', target: 'node20', plugins: [watPlugin], logLevel: 'warning', external: ['vscode'] });
const lintMicro = join(microDir, 'lint.cjs');
await esbuild.build({
  entryPoints: [join(root, 'bench', 'lint.ts')],
  outfile: lintMicro,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  alias: { 'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs') },
});
// A tree of 1,000 Python modules for `kl-lens lint` (bench/lintInputs.mjs).
const lintTree = join(data, 'lint-tree');
if (!existsSync(join(lintTree, 'pkg9', 'module_999.py'))) writeTree(lintTree);

// --- inputs ----------------------------------------------------------------------------------------
const numpy = hasPython('numpy');
console.log(numpy ? 'inputs: NumPy (bench/generate.py)' : 'inputs: bench/inputs.mjs (NumPy not found)');
if (numpy) execFileSync(python, [join(root, 'bench', 'generate.py'), data], { stdio: 'inherit' });
else writeInputs(data);
const torch = hasPython('torch, numpy');
const scipy = hasPython('scipy, numpy');
if (!torch) notes.push('PyTorch anchors skipped: `import torch` failed under /usr/bin/python3.');
if (!scipy) notes.push('SciPy anchor skipped: `import scipy` failed under /usr/bin/python3.');
if (!existsSync(timeBin)) notes.push('Peak RSS not measured: /usr/bin/time is missing.');

// --- workloads: each contender is a command; contenders of a workload run alternately ------------
const kl = (program) => ({ command: process.execPath, args: [cli, 'eval', '--json', program] });
const anchor = (script, ...files) => ({ command: python, args: [join(root, 'bench', 'anchors', script), ...files] });
const workloads = [
  {
    id: 'big',
    title: 'KL(a ‖ b), two 1e8-element float32 .npy (400 MB each)',
    files: ['big_p.npy', 'big_q.npy'],
    skip: quick,
    contenders: [
      { name: 'KL Lens', ...kl('KL(load("big_p.npy") || load("big_q.npy"))') },
      ...(torch ? [{ name: 'PyTorch', ...anchor('torch_kl.py', 'big_p.npy', 'big_q.npy') }] : []),
      ...(scipy ? [{ name: 'SciPy', ...anchor('scipy_kl.py', 'big_p.npy', 'big_q.npy') }] : []),
      { name: 'read only', command: process.execPath, args: [join(root, 'bench', 'floor.mjs'), 'big_p.npy', 'big_q.npy'] },
    ],
    targets: [
      { vs: 'PyTorch', speedup: 4 },
      { rssMiB: 150 },
    ],
  },
  // Informative rows (no target): the other divergences' fast paths on the same files.
  {
    id: 'js',
    title: 'JS(a, b), the same 1e8-element float32 files',
    files: ['big_p.npy', 'big_q.npy'],
    skip: quick,
    contenders: [
      { name: 'KL Lens', ...kl('JS(load("big_p.npy"), load("big_q.npy"))') },
      ...(scipy ? [{ name: 'SciPy', ...anchor('scipy_js.py', 'big_p.npy', 'big_q.npy') }] : []),
    ],
    targets: [],
  },
  {
    id: 'ce',
    title: 'H(a, b) (cross-entropy), the same 1e8-element float32 files',
    files: ['big_p.npy', 'big_q.npy'],
    skip: quick,
    contenders: [
      { name: 'KL Lens', ...kl('H(load("big_p.npy"), load("big_q.npy"))') },
      ...(scipy ? [{ name: 'SciPy', ...anchor('scipy_ce.py', 'big_p.npy', 'big_q.npy') }] : []),
    ],
    targets: [],
  },
  {
    id: 'softmax',
    title: 'KL(softmax(a) ‖ softmax(b), reduction="mean"), two [512, 50257] float32 logits',
    files: ['logits_a.npy', 'logits_b.npy'],
    contenders: [
      { name: 'KL Lens', ...kl('KL(softmax(load("logits_a.npy")) || softmax(load("logits_b.npy")), reduction="mean")') },
      ...(torch ? [{ name: 'PyTorch', ...anchor('torch_softmax_kl.py', 'logits_a.npy', 'logits_b.npy') }] : []),
    ],
    targets: [{ vs: 'PyTorch', speedup: 2 }],
  },
  {
    id: 'lint',
    title: 'kl-lens lint over 1,000 Python modules (60–400 lines each, 236k lines)',
    contenders: [{ name: 'KL Lens', command: process.execPath, args: [cli, 'lint', '--format', 'json', 'lint-tree'], ok: [0, 1] }],
    targets: [{ wallMs: 10_000 }],
  },
  {
    id: 'startup',
    title: 'CLI start-up: KL of two 3-vectors',
    contenders: [{ name: 'KL Lens', ...kl('KL([0.5,0.3,0.2] || [0.4,0.4,0.2])') }],
    targets: [],
  },
].filter((w) => !w.skip);
if (quick) notes.push('BENCH_QUICK=1: the 1e8-element workloads were skipped.');

const results = [];
for (const w of workloads) {
  for (const f of w.files ?? []) warm(f);
  // One untimed round first: the page cache and the interpreters' own caches are warm for all.
  for (const c of w.contenders) c.first = measure(c.command, c.args, c.ok);
  const samples = new Map(w.contenders.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of w.contenders) samples.get(c.name).push(measure(c.command, c.args, c.ok));
  }
  const row = { ...w, stats: {} };
  for (const c of w.contenders) {
    const s = samples.get(c.name);
    row.stats[c.name] = { ms: median(s.map((x) => x.ms)), rss: median(s.map((x) => x.rss)), min: Math.min(...s.map((x) => x.ms)), max: Math.max(...s.map((x) => x.ms)), output: c.first.stdout.trim() };
    console.log(`${w.id.padEnd(8)} ${c.name.padEnd(8)} median ${row.stats[c.name].ms.toFixed(0).padStart(6)} ms (${row.stats[c.name].min.toFixed(0)}–${row.stats[c.name].max.toFixed(0)})  peak RSS ${row.stats[c.name].rss.toFixed(0)} MiB`);
  }
  results.push(row);
}

// --- accuracy against float64 references computed by NumPy ---------------------------------------
const accuracy = [];
function klLensValue(program) {
  const out = JSON.parse(measure(process.execPath, [cli, 'eval', '--json', program]).stdout);
  return { value: out.value, reverse: out.reverse?.value ?? out.reverse };
}
function reference(kind, a, b) {
  return JSON.parse(execFileSync(python, [join(root, 'bench', 'reference.py'), kind, a, b], { cwd: data, encoding: 'utf8' }));
}
if (numpy) {
  const checks = [
    ...(quick
      ? []
      : [
          { what: 'KL, 1e8 float32', program: 'KL(load("big_p.npy") || load("big_q.npy"))', ref: () => reference('kl', 'big_p.npy', 'big_q.npy'), tol: 1e-6 },
          { what: 'JS, 1e8 float32', program: 'JS(load("big_p.npy"), load("big_q.npy"))', ref: () => reference('js', 'big_p.npy', 'big_q.npy'), tol: 1e-6 },
          { what: 'cross-entropy, 1e8 float32', program: 'H(load("big_p.npy"), load("big_q.npy"))', ref: () => reference('ce', 'big_p.npy', 'big_q.npy'), tol: 1e-6 },
        ]),
    { what: 'KL, 2e7 float64', program: 'KL(load("f64_p.npy") || load("f64_q.npy"))', ref: () => reference('kl', 'f64_p.npy', 'f64_q.npy'), tol: 1e-12 },
    { what: 'JS, 2e7 float64', program: 'JS(load("f64_p.npy"), load("f64_q.npy"))', ref: () => reference('js', 'f64_p.npy', 'f64_q.npy'), tol: 1e-12 },
    { what: 'cross-entropy, 2e7 float64', program: 'H(load("f64_p.npy"), load("f64_q.npy"))', ref: () => reference('ce', 'f64_p.npy', 'f64_q.npy'), tol: 1e-12 },
    { what: 'softmax KL (mean), float32 logits', program: 'KL(softmax(load("logits_a.npy")) || softmax(load("logits_b.npy")), reduction="mean")', ref: () => reference('softmax', 'logits_a.npy', 'logits_b.npy'), tol: 1e-6 },
  ];
  for (const c of checks) {
    const ours = klLensValue(c.program);
    const ref = c.ref();
    const pairs = ref.mean !== undefined ? [['value', ours.value, ref.mean]] : ref.value !== undefined ? [['value', ours.value, ref.value]] : [['value', ours.value, ref.forward], ['reverse', ours.reverse, ref.reverse]];
    for (const [part, got, want] of pairs) {
      const rel = Math.abs(got - want) / Math.abs(want);
      accuracy.push({ what: `${c.what} (${part})`, got, want, rel, tol: c.tol, pass: rel <= c.tol });
    }
  }
} else {
  notes.push('Accuracy not checked: the float64 references need NumPy.');
}

// --- in-process timings and bundle sizes -----------------------------------------------------------
const microOut = JSON.parse(execFileSync(process.execPath, [micro, String(Math.max(runs, 9))], { encoding: 'utf8' }));
const lintOut = JSON.parse(execFileSync(process.execPath, [lintMicro, String(Math.max(runs, 41)), join(root, 'dist')], { encoding: 'utf8' }));
rmSync(microDir, { recursive: true, force: true });
const bundles = ['extension.js', 'worker.js', 'kernelWorker.js', 'cli.js', 'panel.js'].map((f) => ({ file: `dist/${f}`, kib: statSync(join(root, 'dist', f)).size / 1024 }));

// --- report ------------------------------------------------------------------------------------------
const lines = [];
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}. Runs: ${runs} per command (median; min–max in brackets), alternating.`);
lines.push('');
lines.push('| workload | contender | wall (median) | peak RSS | KL Lens is |');
lines.push('|---|---|---:|---:|---|');
let allPass = true;
const verdicts = [];
for (const r of results) {
  const ours = r.stats['KL Lens'];
  for (const [name, s] of Object.entries(r.stats)) {
    const ratio = name === 'KL Lens' ? '' : name === 'read only' ? `${fmt(ours.ms / s.ms, 2)}× the floor (reading the bytes, no compute)` : `${fmt(s.ms / ours.ms, 2)}× faster`;
    lines.push(`| ${r.title} | ${name} | ${fmt(s.ms)} ms (${fmt(s.min)}–${fmt(s.max)}) | ${fmt(s.rss)} MiB | ${ratio} |`);
  }
  for (const t of r.targets) {
    if (t.vs) {
      const other = r.stats[t.vs];
      if (!other) {
        verdicts.push(`- ${r.id}: ≥ ${t.speedup}× faster than ${t.vs}: not measured (anchor skipped)`);
        continue;
      }
      const ratio = other.ms / ours.ms;
      const pass = ratio >= t.speedup;
      allPass &&= pass;
      verdicts.push(`- ${r.id}: ≥ ${t.speedup}× faster than ${t.vs}: ${fmt(ratio, 2)}× — **${pass ? 'PASS' : 'FAIL'}**`);
    }
    if (t.wallMs) {
      const pass = ours.ms <= t.wallMs;
      allPass &&= pass;
      verdicts.push(`- ${r.id}: ≤ ${t.wallMs / 1000} s: ${fmt(ours.ms / 1000, 2)} s — **${pass ? 'PASS' : 'FAIL'}**`);
    }
    if (t.rssMiB) {
      const pass = ours.rss <= t.rssMiB;
      allPass &&= pass || !Number.isFinite(ours.rss);
      verdicts.push(`- ${r.id}: peak RSS ≤ ${t.rssMiB} MiB: ${fmt(ours.rss)} MiB — **${Number.isFinite(ours.rss) ? (pass ? 'PASS' : 'FAIL') : 'not measured'}**`);
    }
  }
}
lines.push('');
if (accuracy.length > 0) {
  lines.push('| accuracy check | KL Lens | float64 reference (NumPy) | relative error | bound |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const a of accuracy) {
    lines.push(`| ${a.what} | ${a.got} | ${a.want} | ${a.rel.toExponential(2)} | ${a.tol} |`);
    allPass &&= a.pass;
    verdicts.push(`- accuracy, ${a.what}: ${a.rel.toExponential(2)} ≤ ${a.tol} — **${a.pass ? 'PASS' : 'FAIL'}**`);
  }
  lines.push('');
}
lines.push('| in-process | median |');
lines.push('|---|---:|');
lines.push(`| hover builder, 10k-element literal (find + build) | ${fmt(microOut.hoverMs, 1)} ms |`);
lines.push(`| charts of KL over 50k-element distributions | ${fmt(microOut.chartMs, 1)} ms |`);
for (const l of lintOut) {
  lines.push(`| KL Lint, ${l.name} (${l.lines} lines), after an edit: incremental re-parse + rules | ${fmt(l.incrementalMs, 1)} ms |`);
  lines.push(`| KL Lint, ${l.name} (${l.lines} lines), from scratch: full parse + rules | ${fmt(l.fullMs, 1)} ms |`);
}
const trainer = lintOut[0];
const typing = trainer.incrementalMs <= 30;
allPass &&= typing;
verdicts.push(`- lint a ${trainer.lines}-line trainer as you type (warm, incremental): ≤ 30 ms: ${fmt(trainer.incrementalMs, 1)} ms — **${typing ? 'PASS' : 'FAIL'}** (from scratch, on opening: ${fmt(trainer.fullMs, 1)} ms)`);
lines.push('');
lines.push('| bundle (production) | size |');
lines.push('|---|---:|');
for (const b of bundles) lines.push(`| ${b.file} | ${fmt(b.kib, 1)} KiB |`);
lines.push('');
lines.push('Targets:');
lines.push(...verdicts);
if (notes.length > 0) lines.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
const report = lines.join('\n');
console.log(`\n${report}`);
writeFileSync(join(data, 'report.md'), `${report}\n`);
console.log(`\n${allPass ? 'all targets met' : 'some targets NOT met'} (report: bench/data/report.md)`);
process.exitCode = allPass ? 0 : 1;
