/**
 * In-process timings for `npm run bench` (bundled by bench/run.mjs with the project's esbuild
 * setup): the hover builder on a 10k-element literal and the charts of a 50k-element KL.
 * Prints one JSON line: { hoverMs, chartMs } (medians over `runs`).
 */
import { charts } from '../src/core/chart/index';
import { parse, runProgram, type Value } from '../src/core/index';
import { findArrayAt } from '../src/core/selection/find';
import { buildArrayHover, LIGHT_COLORS } from '../src/extension/hover/buildHover';

const runs = Number(process.argv[2] ?? 9);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => unknown): number {
  f(); // warm-up: the editor's extension host has run the code before
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    if (f() === undefined) throw new Error('nothing was built');
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

// A 10k-element literal in code, hovered in the middle, as the hover provider sees it.
const numbers = Array.from({ length: 10_000 }, (_, i) => (((i * 7919) % 1000) / 1000 + 0.001).toFixed(4));
const text = `weights = np.array([${numbers.join(', ')}])\n`;
const hoverMs = time(() => {
  const found = findArrayAt(text, Math.floor(text.length / 2), 1_000_000);
  return found && buildArrayHover(found.tensor, { digits: 5, colors: LIGHT_COLORS, topK: 20, command: 'klLens.openInPanel', name: 'weights' });
});

// KL of two 50k-element distributions, then every chart of the result.
const n = 50_000;
const env = new Map<string, Value>([
  ['p', { type: 'tensor', tensor: { shape: [n], data: Float64Array.from({ length: n }, (_, i) => 1 + Math.sin(i) ** 2) } }],
  ['q', { type: 'tensor', tensor: { shape: [n], data: Float64Array.from({ length: n }, (_, i) => 1 + Math.cos(i / 3) ** 2) } }],
]);
const source = 'KL(p || q)';
const value = runProgram(parse(source), source, { env }).value;
if (value?.type !== 'result') throw new Error('KL gave no result');
const chartMs = time(() => {
  const built = charts(value.result);
  return built.length > 0 ? built : undefined;
});

process.stdout.write(`${JSON.stringify({ hoverMs, chartMs })}\n`);
