// `npm run bench`: timing harness. Runs each benchmark a few times and reports the median.
// Benchmarks against external anchors (SciPy, PyTorch) are added beside these.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 5);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(label, args, input) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 26 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${label} failed: ${r.error?.message ?? r.stderr}`);
    samples.push(ms);
  }
  console.log(`${label.padEnd(48)} median ${median(samples).toFixed(1)} ms over ${runs} runs`);
}

time('CLI start-up: KL of two 3-vectors', ['eval', 'KL([0.5,0.3,0.2] || [0.4,0.4,0.2])']);
time(
  'parse + KL of two 100k-element softmaxes (stdin)',
  ['eval', '-'],
  'x = [' + Array.from({ length: 100000 }, (_, i) => ((i * 7919) % 1000) / 100).join(',') + ']\nKL(softmax(x) || softmax(x / 2))',
);
