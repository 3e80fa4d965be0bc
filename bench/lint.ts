/**
 * KL Lint timings for `npm run bench` (bundled by bench/run.mjs): a ~3,000-line trainer module
 * linted as the editor does it — warm, after an edit, with the tree re-parsed incrementally — and
 * from scratch (a full parse, as on opening the file). `KL_LENS_BENCH_TRAINER=path` adds a file of
 * your own (e.g. TRL's grpo_trainer.py). Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { Edit } from 'web-tree-sitter';
import { lintUnits } from '../src/core/lint/index';
import { loadPythonParser } from '../src/host/python';
import { denseTrainerSource, trainerSource } from './lintInputs.mjs';

const runs = Number(process.argv[2] ?? 41);
const wasmDir = process.argv[3];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const parser = await loadPythonParser(wasmDir);
  const files: { name: string; source: string }[] = [
    { name: 'generated trainer', source: trainerSource() },
    { name: 'dense generated trainer (stress)', source: denseTrainerSource() },
  ];
  if (process.env.KL_LENS_BENCH_TRAINER) files.push({ name: process.env.KL_LENS_BENCH_TRAINER, source: readFileSync(process.env.KL_LENS_BENCH_TRAINER, 'utf8') });
  const out = [];
  for (const { name, source } of files) {
    const lines = source.split('\n').length;
    // From scratch: parse and lint.
    const full: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const tree = parser.parse(source);
      const { findings } = lintUnits([{ tree, source }]);
      const ms = performance.now() - t0;
      tree.delete();
      if (findings === undefined) throw new Error('no result');
      if (i >= 3) full.push(ms);
    }
    // As you type: one character inserted in the middle, the tree edited and re-parsed, then linted.
    let text = source;
    let tree = parser.parse(text);
    const at = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
    const incremental: number[] = [];
    let findingsCount = 0;
    for (let i = 0; i < runs + 3; i++) {
      const insert = i % 2 === 0;
      const row = text.slice(0, at).split('\n').length - 1;
      const t0 = performance.now();
      const next = insert ? `${text.slice(0, at)} ${text.slice(at)}` : `${text.slice(0, at)}${text.slice(at + 1)}`;
      tree.edit(
        new Edit({
          startIndex: at,
          oldEndIndex: insert ? at : at + 1,
          newEndIndex: insert ? at + 1 : at,
          startPosition: { row, column: 0 },
          oldEndPosition: { row, column: insert ? 0 : 1 },
          newEndPosition: { row, column: insert ? 1 : 0 },
        }),
      );
      const parsed = parser.parse(next, tree);
      const { findings } = lintUnits([{ tree: parsed, source: next }]);
      const ms = performance.now() - t0;
      tree.delete();
      tree = parsed;
      text = next;
      findingsCount = findings.length;
      if (i >= 3) incremental.push(ms);
    }
    tree.delete();
    out.push({ name, lines, fullMs: median(full), incrementalMs: median(incremental), findings: findingsCount });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

void main();
