/**
 * What the execution tests of the quick fixes share: lint a snippet with the real checker, apply
 * the fix it offers, run the original and the fixed snippet under real PyTorch on the same
 * tensors, and evaluate a KL Lens program on those tensors with the core.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { applyEdits } from '../../../../src/cli/lint/fix';
import { parse, runProgram, type Value } from '../../../../src/core/index';
import type { Finding, FixSafety, RuleId } from '../../../../src/core/lint/index';
import { RULE_DOCS } from '../../../../src/core/lint/rules/docs';
import { lintPython } from '../../../../src/core/lint/source';
import { loadPythonParser, type PythonParser } from '../../../../src/host/python';
import { mulberry32 } from '../../../../scripts/mulberry32.mjs';

/** Debian's interpreter, with python3-torch installed (CI installs it too). */
export const PYTHON = '/usr/bin/python3';

export type Dtype = 'float64' | 'float32' | 'int64';

/** A tensor handed to both PyTorch and the core: row-major numbers and a shape. */
export interface Input {
  readonly shape: readonly number[];
  readonly data: readonly number[];
  readonly dtype: Dtype;
}

export type Inputs = Readonly<Record<string, Input>>;

// ── inputs ──────────────────────────────────────────────────────────────────────────────────

/** Seeded numbers: the same tensors on every run and every machine. */
export function seeded(seed: number): { uniform(): number; normal(): number } {
  const rand = mulberry32(seed);
  return {
    uniform: rand,
    // Box–Muller; 1 − u keeps the log's argument in (0, 1].
    normal: () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()),
  };
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function tensor(shape: readonly number[], data: readonly number[], dtype: Dtype = 'float64'): Input {
  assert.equal(data.length, count(shape), `${data.length} numbers for shape [${shape.join(', ')}]`);
  // float32 inputs are rounded here, so that PyTorch and the core see the very same values.
  return { shape, data: dtype === 'float32' ? data.map(Math.fround) : data, dtype };
}

/** Logits: scale × standard normal, the spread of a trained classifier's outputs. */
export function logits(seed: number, shape: readonly number[], scale = 3, dtype: Dtype = 'float64'): Input {
  const r = seeded(seed);
  return tensor(shape, Array.from({ length: count(shape) }, () => scale * r.normal()), dtype);
}

export function uniform(seed: number, shape: readonly number[], lo: number, hi: number): Input {
  const r = seeded(seed);
  return tensor(shape, Array.from({ length: count(shape) }, () => lo + (hi - lo) * r.uniform()));
}

// ── lint and fix ────────────────────────────────────────────────────────────────────────────

let parser: Promise<PythonParser> | undefined;

async function lint(source: string, rule: RuleId): Promise<{ findings: readonly Finding[]; syntaxErrors: number }> {
  parser ??= loadPythonParser();
  const p = await parser;
  const result = lintPython(source, (s) => p.parse(s), { select: [rule] });
  return { findings: result.findings, syntaxErrors: result.syntaxErrors.length };
}

/** The "## Fix safety" section of the rule's published documentation, on one line. */
export function fixSafetyDoc(rule: RuleId): string {
  const section = /## Fix safety\n([\s\S]*?)\n## /.exec(RULE_DOCS[rule].markdown)?.[1];
  assert.ok(section, `${rule}'s documentation has no "Fix safety" section`);
  return section.replace(/\s+/g, ' ').trim();
}

export interface FixCase {
  readonly rule: RuleId;
  /** The snippet with the mistake: imports and the function(s) `call` uses. */
  readonly source: string;
  /** The safety every offered fix must have... */
  readonly safety: FixSafety;
  /**
   * ...and the words of the rule's "Fix safety" section that say so (whitespace-insensitive);
   * undefined where that section does not cover the variant.
   */
  readonly docs: string | undefined;
  /** A piece of the fixed source, not in the original, that shows what the fix wrote. */
  readonly writes: string;
  /** How many findings of the rule the snippet has, each with a fix; all are applied together. */
  readonly findings?: number;
}

export interface Fixed {
  readonly text: string;
  readonly findings: readonly Finding[];
}

/**
 * Lints `c.source` with only `c.rule`, checks the findings, their fixes and safety against the
 * rule's documentation, and returns the source with every fix applied. The fixed source must
 * parse, and the rule must have nothing left to say about it.
 */
export async function lintAndFix(c: FixCase): Promise<Fixed> {
  const { findings, syntaxErrors } = await lint(c.source, c.rule);
  assert.equal(syntaxErrors, 0, 'the original snippet parses');
  assert.equal(findings.length, c.findings ?? 1, `${c.rule} findings: ${findings.map((f) => f.message).join(' | ')}`);
  for (const f of findings) {
    assert.ok(f.fix, `${c.rule} offers a fix for: ${f.message}`);
    assert.equal(f.fix.safety, c.safety, `safety of "${f.fix.description}"`);
  }
  if (c.docs !== undefined) assert.ok(fixSafetyDoc(c.rule).includes(c.docs.replace(/\s+/g, ' ')), `${c.rule}'s Fix safety section says "${c.docs}"`);
  const text = applyEdits(c.source, findings.flatMap((f) => f.fix!.edits));
  assert.ok(!c.source.includes(c.writes) && text.includes(c.writes), `the fix writes ${c.writes}:\n${text}`);
  const after = await lint(text, c.rule);
  assert.equal(after.syntaxErrors, 0, `the fixed snippet parses:\n${text}`);
  assert.deepEqual(after.findings.map((f) => f.message), [], `${c.rule} has nothing left to report in the fixed snippet:\n${text}`);
  return { text, findings };
}

/** The findings of a rule that offers no fix, for the cases that prove what a finding says. */
export async function findingsOf(source: string, rule: RuleId): Promise<readonly Finding[]> {
  const { findings, syntaxErrors } = await lint(source, rule);
  assert.equal(syntaxErrors, 0, 'the snippet parses');
  return findings;
}

// ── PyTorch ─────────────────────────────────────────────────────────────────────────────────

/** What PyTorch returned: its dtype and shape, and the values (NaN and ±Infinity included). */
export interface TorchValue {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

// Each source runs in a namespace of its own, on fresh tensors, with the same random seed.
// Floats travel as JSON (repr round-trips them exactly); non-finite ones as 'nan', 'inf', '-inf'.
// The call may use torch, and grad(f, x): ∂f(x)/∂x, zeros where x does not reach f.
const RUNNER = String.raw`
import json, math, sys
import torch

def tensor(spec):
    return torch.tensor(spec["data"], dtype=getattr(torch, spec["dtype"])).reshape(spec["shape"])

def grad(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    if not y.requires_grad:
        return torch.zeros_like(x)
    (g,) = torch.autograd.grad(y, x, allow_unused=True)
    return torch.zeros_like(x) if g is None else g

def encode(x):
    return x if math.isfinite(x) else str(x)

request = json.load(sys.stdin)
results = []
for source in request["sources"]:
    namespace = {"grad": grad, "torch": torch}
    exec(compile(source, "<snippet>", "exec"), namespace)
    namespace.update({name: tensor(spec) for name, spec in request["inputs"].items()})
    torch.manual_seed(0)
    out = torch.as_tensor(eval(request["call"], namespace)).detach()
    values = [encode(float(x)) for x in out.reshape(-1).tolist()]
    results.append({"dtype": str(out.dtype).replace("torch.", ""), "shape": list(out.shape), "values": values})
print(json.dumps(results))
`;

const NON_FINITE: Readonly<Record<string, number>> = { nan: NaN, inf: Infinity, '-inf': -Infinity };

/**
 * Runs each source under PyTorch and evaluates `call` (a Python expression over the snippet's
 * functions and the inputs, by name) after it. Fails, never skips, when Python or torch is missing.
 */
export function runTorch(sources: readonly string[], call: string, inputs: Inputs): TorchValue[] {
  const r = spawnSync(PYTHON, ['-c', RUNNER], { input: JSON.stringify({ sources, call, inputs }), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) assert.fail(`cannot run ${PYTHON} (${r.error.message}): these tests need Debian's python3 with python3-torch installed`);
  if (/No module named '?torch/.test(r.stderr)) assert.fail(`${PYTHON} has no torch: install python3-torch (${r.stderr.trim().split('\n').at(-1)})`);
  assert.equal(r.status, 0, `PyTorch failed on ${call}:\n${r.stderr}`);
  const results = JSON.parse(r.stdout) as { dtype: string; shape: number[]; values: (number | string)[] }[];
  return results.map((v) => ({ ...v, values: v.values.map((x) => (typeof x === 'number' ? x : NON_FINITE[x]!)) }));
}

export interface Proof {
  /** The fixed source and the findings whose fixes made it. */
  readonly fixed: Fixed;
  /** What the original snippet computed, and what the fixed one computes. */
  readonly original: TorchValue;
  readonly after: TorchValue;
}

/** Lint → fix → run both under PyTorch. Results must come back in `dtype` (default float64). */
export async function prove(c: FixCase & { readonly call: string; readonly inputs: Inputs; readonly dtype?: string }): Promise<Proof> {
  const fixed = await lintAndFix(c);
  const [original, after] = runTorch([c.source, fixed.text], c.call, c.inputs);
  for (const v of [original!, after!]) assert.equal(v.dtype, c.dtype ?? 'float64', `${c.call} is computed in ${c.dtype ?? 'float64'}`);
  return { fixed, original: original!, after: after! };
}

/** The torch version the tests run under, e.g. "1.13.0a0". */
export function torchVersion(): string {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error) assert.fail(`cannot run ${PYTHON} (${r.error.message}): these tests need Debian's python3 with python3-torch installed`);
  assert.equal(r.status, 0, `${PYTHON} cannot import torch: install python3-torch\n${r.stderr}`);
  return r.stdout.trim();
}

// ── the core ────────────────────────────────────────────────────────────────────────────────

/** The value of a KL Lens program with the inputs bound by name. */
export function coreValue(program: string, inputs: Inputs): Value {
  const env = new Map<string, Value>();
  for (const [name, t] of Object.entries(inputs)) env.set(name, { type: 'tensor', tensor: { shape: [...t.shape], data: Float64Array.from(t.data) } });
  const { value } = runProgram(parse(program), program, { env });
  assert.ok(value, `${program} has a value`);
  return value;
}

/** The numbers of a KL Lens program's value, flattened. */
export function core(program: string, inputs: Inputs): number[] {
  const v = coreValue(program, inputs);
  if (v.type === 'tensor') return [...v.tensor.data];
  if (v.type === 'result') return [...v.result.value.data];
  return assert.fail(`${program} is a ${v.type}, not numbers`);
}

// ── comparison ──────────────────────────────────────────────────────────────────────────────

/** Float64 PyTorch against the float64 core: a few ulps of summation order, nothing more. */
export const RTOL = 1e-9;

/** Every value finite and within rtol·|expected| (+ atol) of the expected one. */
export function assertClose(actual: readonly number[], expected: readonly number[], what: string, rtol = RTOL, atol = 0): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.ok(Number.isFinite(a) && Number.isFinite(e), `${what}[${i}]: ${a} vs ${e}, both must be finite`);
    assert.ok(Math.abs(a - e) <= rtol * Math.abs(e) + atol, `${what}[${i}]: ${a} differs from ${e} by ${Math.abs(a - e)} (rtol ${rtol})`);
  });
}

/** Not within rtol of the expected values: at least one value differs, or is not finite. */
export function assertDiffers(actual: readonly number[], expected: readonly number[], what: string, rtol = 1e-3): void {
  const close = actual.length === expected.length && actual.every((a, i) => Math.abs(a - expected[i]!) <= rtol * Math.abs(expected[i]!));
  assert.ok(!close, `${what}: ${fmt(actual)} should not match ${fmt(expected)}`);
}

/** Values for messages and diagnostics: up to four, 6 significant digits. */
export function fmt(xs: readonly number[]): string {
  const shown = xs.slice(0, 4).map((x) => (Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x)));
  return xs.length === 1 ? shown[0]! : `[${shown.join(', ')}${xs.length > 4 ? ', …' : ''}]`;
}

/** Strips the indentation the snippets have inside the test source, and the first newline. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
