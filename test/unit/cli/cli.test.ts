/**
 * The command-line contract, on the built bundle `dist/cli.js`: answers on stdout, warnings and
 * errors on stderr, exit status, and the `--json` format.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUILTINS } from '../../../src/core/lang/builtins';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
let work = '';

before(() => {
  // `npm test` builds first (pretest); a single-file run needs `npm run build`.
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build`);
  // A fresh working directory, so relative paths such as missing.npy surely do not exist.
  work = mkdtempSync(join(tmpdir(), 'kl-lens-cli-'));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], input?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', cwd: work });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

/** Exit 0, nothing on stderr, exactly one line of JSON on stdout. */
function json(program: string, ...extra: string[]): Record<string, unknown> {
  const r = cli(['eval', program, '--json', ...extra]);
  assert.equal(r.status, 0, `${program}: ${r.stderr}`);
  assert.equal(r.stderr, '', program);
  assert.ok(r.stdout.endsWith('\n'), program);
  assert.equal(lines(r.stdout).length, 1, `${program}: expected one line, got ${r.stdout}`);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.ok(Array.isArray(out['warnings']), `${program}: warnings must be an array`);
  return out;
}

/** Exit 1, nothing on stdout, one `error: ` line on stderr and no stack trace. */
function fails(args: readonly string[], message: RegExp | string, input?: string): string {
  const r = cli(args, input);
  const what = JSON.stringify(args);
  assert.equal(r.status, 1, `${what}: exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '', what);
  assert.equal(lines(r.stderr).length, 1, `${what}: expected one line on stderr, got ${r.stderr}`);
  assert.ok(r.stderr.startsWith('error: '), `${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, what);
  if (typeof message === 'string') assert.ok(r.stderr.includes(message), `${what}: ${r.stderr} does not contain ${message}`);
  else assert.match(r.stderr, message, what);
  return r.stderr.trimEnd();
}

/** KL(P‖Q) = Σ p log(p/q) after dividing each by its sum: the definition, not the code under test. */
function klOf(p: readonly number[], q: readonly number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  return p.reduce((s, x, i) => (x === 0 ? s : s + (x / sp) * Math.log(x / sp / (q[i]! / sq))), 0);
}

/** 5 significant digits with trailing zeros dropped, as the text answer shows them. */
function fmt5(x: number): string {
  return String(Number(x.toPrecision(5)));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const P = [0.5, 0.3, 0.2];
const Q = [0.4, 0.4, 0.2];
const PROGRAM = 'KL([0.5,0.3,0.2] || [0.4,0.4,0.2])';
const FORWARD = klOf(P, Q);
const REVERSE = klOf(Q, P);
const ANSWER = new RegExp(`^KL\\(P‖Q\\) = ${escape(fmt5(FORWARD))} nats {2}\\(reverse KL\\(Q‖P\\) = ${escape(fmt5(REVERSE))} nats\\)\\n$`);

describe('kl-lens eval (text)', () => {
  it('prints the answer with the reverse direction, and nothing else', () => {
    assert.equal(fmt5(FORWARD), '0.025267'); // guards the reference computation itself
    const r = cli(['eval', PROGRAM]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, ANSWER);
  });

  it('--digits sets the significant digits', () => {
    const r = cli(['eval', PROGRAM, '--digits', '8']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.startsWith(`KL(P‖Q) = ${String(Number(FORWARD.toPrecision(8)))} nats`), r.stdout);
    fails(['eval', PROGRAM, '--digits', '0'], '--digits');
  });

  it('puts warnings on stderr, prefixed "warning:", and only the answer on stdout', () => {
    const r = cli(['eval', 'KL([1, 2, 3] || [1, 1, 1])']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(lines(r.stdout).length, 1, r.stdout);
    const expected = klOf([1, 2, 3], [1, 1, 1]);
    assert.match(r.stdout, new RegExp(`^KL\\(P‖Q\\) = ${escape(fmt5(expected))} nats`));
    const warnings = lines(r.stderr);
    assert.ok(warnings.length >= 1, 'expected a warning');
    for (const w of warnings) assert.ok(w.startsWith('warning: '), w);
    assert.ok(warnings.some((w) => /\bP\b.*normalized/.test(w)), r.stderr);
  });

  it('reads the program from stdin with "-"', () => {
    const r = cli(['eval', '-'], `${PROGRAM}\n`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, ANSWER);
  });

  it('runs multi-statement programs: ";", newlines and "#" comments, the last value is printed', () => {
    const program = '# the example from the README\np = [0.5, 0.3, 0.2]; q = [0.4, 0.4, 0.2]  # two distributions\n\nKL(p || q)  # forward\n';
    const file = join(work, 'example.kl');
    writeFileSync(file, program);
    for (const r of [cli(['eval', '--file', file]), cli(['eval', '-f', file]), cli(['eval', '-'], program), cli(['eval', program])]) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, ANSWER);
    }
    assert.deepEqual(json('a = 2; b = a * 3\nb + 1')['value'], 7);
  });
});

describe('kl-lens eval --json', () => {
  it('prints one object with value, unit and warnings', () => {
    const out = json(PROGRAM);
    assert.equal(typeof out['value'], 'number');
    assert.ok(Math.abs((out['value'] as number) - FORWARD) <= 1e-15, String(out['value']));
    assert.ok(Math.abs((out['reverse'] as number) - REVERSE) <= 1e-15, String(out['reverse']));
    assert.equal(out['unit'], 'nats');
    assert.deepEqual(out['warnings'], []);
  });

  it('reports bits for base=2', () => {
    const out = json('KL([0.5,0.3,0.2] || [0.4,0.4,0.2], base=2)');
    assert.equal(out['unit'], 'bits');
    assert.ok(Math.abs((out['value'] as number) - FORWARD / Math.LN2) <= 1e-15);
  });

  it('gives nested arrays for reduction="none" on 2-D input', () => {
    const rows = [
      [[0.5, 0.5], [0.9, 0.1]],
      [[0.25, 0.75], [0.5, 0.5]],
    ] as const;
    const out = json('KL([[0.5, 0.5], [0.25, 0.75]] || [[0.9, 0.1], [0.5, 0.5]], reduction="none")');
    assert.ok(Array.isArray(out['value']), JSON.stringify(out['value']));
    const value = out['value'] as number[];
    assert.equal(value.length, 2);
    rows.forEach(([p, q], i) => assert.ok(Math.abs(value[i]! - klOf(p, q)) <= 1e-15, `row ${i}: ${value[i]}`));
    const nested = json('log([[1, 2], [3, 4]])')['value'];
    assert.deepEqual(nested, [[0, Math.log(2)], [Math.log(3), Math.log(4)]]);
  });

  it('gives element-wise arrays for the estimators', () => {
    const out = json('k1([-1, -2, -3], [-1.5, -2, -2.5])');
    assert.deepEqual(out['value'], [0.5, 0, -0.5]);
    assert.equal(out['unit'], 'nats');
  });

  it('writes non-finite numbers as the strings "Infinity", "-Infinity", "NaN"', () => {
    assert.equal(json('KL([1,0] || [0,1])')['value'], 'Infinity');
    assert.deepEqual(json('log([0])')['value'], ['-Infinity']);
    assert.deepEqual(json('[nan]')['value'], ['NaN']);
    assert.equal(json('0/0')['value'], 'NaN');
  });

  it("lists the normalization warning with code 'normalized' (and nothing on stderr)", () => {
    const out = json('KL([1, 2, 3] || [1, 1, 1])');
    const warnings = out['warnings'] as { code: string; message: string }[];
    assert.ok(warnings.some((w) => w.code === 'normalized' && typeof w.message === 'string'), JSON.stringify(warnings));
  });
});

describe('kl-lens eval: values that contradict what a function expects', () => {
  /** distill on logits and on their softmaxes, with PyTorch's values (test/fixtures/generate.py). */
  const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'reference.json'), 'utf8')) as {
    cases: { id: string; program: string; vars: Record<string, unknown>; expected: number }[];
  };
  const byId = (id: string) => fixture.cases.find((c) => c.id === id)!;
  const program = (c: ReturnType<typeof byId>): string => `${Object.entries(c.vars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n')}\n${c.program}`;
  const softmaxed = byId('distill-inputs/softmax-b4-v10-T4-1');
  const logits = byId('distill-inputs/logits-b4-v10-T4-1');
  const MESSAGE = 'student and teacher rows are already distributions (each sums to 1); distill takes logits and applies softmax(·/T) itself — pass the logits (or log(p)) instead.';

  it("prints PyTorch's value of distill on softmax'd logits, and the warning on stderr", () => {
    const r = cli(['eval', program(softmaxed)]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.startsWith(`T²·KL(p_T‖p_S) = ${fmt5(softmaxed.expected)} nats`), r.stdout);
    assert.deepEqual(lines(r.stderr), [`warning: ${MESSAGE}`]);
    const ok = cli(['eval', program(logits)]);
    assert.ok(ok.stdout.startsWith(`T²·KL(p_T‖p_S) = ${fmt5(logits.expected)} nats`), ok.stdout);
    assert.equal(ok.stderr, '');
  });

  it('lists the warning in --json with its code and the position of the call', () => {
    const out = json(program(softmaxed));
    assert.ok(Math.abs((out['value'] as number) - softmaxed.expected) <= 1e-12 * softmaxed.expected, String(out['value']));
    // The variables take lines 1 and 2; the call starts line 3.
    assert.deepEqual(out['warnings'], [{ code: 'distributions-not-logits', message: MESSAGE, at: '3:1' }]);
    assert.deepEqual(json(program(logits))['warnings'], []);
  });

  it('warns when an estimator is given probabilities, naming the argument', () => {
    const out = json('k3([-1.2, -0.7], [0.3, 0.5])');
    const warnings = out['warnings'] as { code: string; message: string; at: string }[];
    assert.deepEqual(
      warnings.map((w) => [w.code, w.at]),
      [['probabilities-not-log-probs', '1:18']],
    );
    assert.match(warnings[0]!.message, /^logq looks like probabilities, not log-probabilities.*pass log-probabilities \(log p\), e\.g\. log\(\[0\.3, 0\.5\]\) or log_softmax\(logits\)\.$/);
  });

  it('refuses log-probabilities given to KL, saying what to pass', () => {
    const message = fails(['eval', 'logp = log_softmax([1, 2, 3])\nKL(logp || [0.2, 0.3, 0.5])'], 'these look like log-probabilities; pass exp(logp) or softmax(logp)');
    assert.match(message, /^error: evaluation error at 2:4: KL: argument P has a negative entry/);
  });
});

describe('kl-lens errors', () => {
  it('reports a syntax error with its line and column', () => {
    const program = 'KL([0.5,0.3] || [0.4,0.6]';
    // The parser stops at the end of input, one column past the last character.
    const message = fails(['eval', program], `syntax error at 1:${program.length + 1}`);
    assert.match(message, /expected '\)'/);
    const second = 'KL(x || [1, 2]';
    fails(['eval', `x = [1, 2]\n${second}`], `syntax error at 2:${second.length + 1}`);
  });

  it('reports evaluation errors as one line', () => {
    fails(['eval', 'foo([1])'], /unknown function 'foo'/);
    fails(['eval', 'KL([-0.1, 1.1] || [0.5, 0.5])'], /negative entry -0\.1/);
    fails(['eval', 'KL([nan, 1] || [0.5, 0.5])'], /NaN/);
    fails(['eval', 'KL([] || [])'], /empty/);
    fails(['eval', 'KL([0.2, 0.3, 0.5] || [0.5, 0.5])'], 'KL: argument Q has 2 entries but P has 3');
    fails(['eval', 'KL([0.5, 0.5] || [0.5, 0.5], bas=2)'], /unknown option 'bas' \(did you mean 'base'\?\)/);
  });

  it('reports command-line mistakes as one line', () => {
    fails(['eval', '--bogus', '1'], /unknown option '--bogus'/);
    fails(['eval'], /needs a program/);
    fails(['eval', '--json'], /needs a program/);
    fails(['frobnicate'], /unknown command 'frobnicate'/);
    fails(['eval', '1', '2'], /unexpected argument '2'/);
    fails(['eval', '--file', join(work, 'no-such.kl')], /no such file/);
    fails(['eval', '1', '--file', join(work, 'example.kl')], /either a program or --file/);
  });

  it('reports bad --var specs and unreadable files', () => {
    // Whatever the loaders support, a missing file cannot be bound.
    fails(['eval', 'p', '--var', 'p=missing.npy'], /^error: --var p: .*missing\.npy/);
    const unknown = join(work, 'tensor.xyz');
    writeFileSync(unknown, 'not a tensor');
    fails(['eval', 'p', '--var', `p=${unknown}`], /^error: --var p: .*unsupported file type '\.xyz'/);
    fails(['eval', 'p', '--var', 'bad'], /--var expects NAME=PATH/);
    fails(['eval', 'p', '--var', '=x.npy'], /--var expects NAME=PATH/);
    fails(['eval', 'p', '--var', '1p=x.npy'], /not a valid name/);
    fails(['eval', 'p', '--var'], /--var needs a value/);
  });
});

describe('kl-lens --help and --version', () => {
  it('documents eval, --var, --json and every function', () => {
    for (const args of [['--help'], ['-h'], []]) {
      const r = cli(args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      for (const word of ['eval', '--var', '--json']) assert.ok(r.stdout.includes(word), `${word} is not in --help`);
      for (const name of Object.keys(BUILTINS)) assert.match(r.stdout, new RegExp(`^\\s+${escape(name)}\\(`, 'm'), `${name} is not in --help`);
    }
  });

  it('prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = cli(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  });
});
