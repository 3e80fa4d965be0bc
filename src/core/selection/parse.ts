/**
 * What a selection in an editor holds: a KL program, one or more array literals (in Python, NumPy,
 * PyTorch, JS, JSON, Julia or R syntax, with the names they are assigned to), or nothing usable —
 * and then why.
 */
import { formatError, KlError, lineColumn, type Span } from '../errors';
import type { Expr, Program } from '../lang/ast';
import { parse } from '../lang/parser';
import type { Tensor } from '../tensor';
import { isArrayCallee, LiteralError, LiteralReader, MAX_NESTING, specialValue, type Parsed } from './literal';
import { arrayProgram, type SelectionProgram } from './program';
import { Scanner, type Token } from './scanner';

export { arrayBinding, arrayProgram, bindingNames, type ArrayBinding, type ProgramArray, type SelectionProgram } from './program';

/** An array literal found in text; `span` is its range there (the value, not the name). */
export interface SelectedArray {
  readonly name?: string;
  readonly tensor: Tensor;
  readonly span: Span;
}

/** A KL program to run as written, array literals to explain, or why there is neither. */
export type SelectionContent =
  | { readonly kind: 'program'; readonly source: string }
  | { readonly kind: 'arrays'; readonly arrays: readonly SelectedArray[] }
  | { readonly kind: 'none'; readonly reason: string };

/** Longer selections are refused rather than read: a hover or a command should never stall on one. */
export const MAX_SELECTION_CHARS = 2 * 1024 * 1024;

/**
 * Reads a selection. Array literals win over the KL reading of the same text (`[0.5, 0.5]` and
 * `p = [0.5, 0.5]` are both), so that one or two arrays get their entropy or KL; text that is
 * only array literals but not valid ones (ragged, empty, not numbers) is 'none' with the reason.
 * @example
 * parseSelection('p = np.array([0.5, 0.5])') // { kind: 'arrays', arrays: [{ name: 'p', tensor, span }] }
 * parseSelection('KL(p || q)')               // { kind: 'program', source: 'KL(p || q)' }
 * parseSelection('[[1, 2], [3]]')            // { kind: 'none', reason: 'ragged: entry 1 has 1 entry but entry 0 has 2 entries (at 1:10)' }
 */
export function parseSelection(text: string): SelectionContent {
  if (text.length > MAX_SELECTION_CHARS) {
    return { kind: 'none', reason: `the selection has ${text.length} characters; at most ${MAX_SELECTION_CHARS} (2 MB) are read` };
  }
  if (text.trim() === '') return { kind: 'none', reason: 'the selection is empty' };
  let arrayReason: string;
  let inLiteral = true;
  try {
    const arrays = readArrays(text);
    if (arrays.length <= 2) return { kind: 'arrays', arrays };
    const names = arrays.map((a, i) => a.name ?? `#${i + 1}`).join(', ');
    arrayReason = `found ${arrays.length} arrays (${names}); select one for its entropy or two to compare`;
  } catch (e) {
    if (!(e instanceof LiteralError)) throw e;
    arrayReason = `${e.message} (at ${where(text, e.start)})`;
    inLiteral = e.inLiteral;
  }
  let program: Program | undefined;
  let klReason = '';
  try {
    program = parse(text);
  } catch (e) {
    // Anything else the parser throws (a stack overflow on absurd nesting) is a failure to parse too.
    klReason = e instanceof KlError ? formatError(e, text) : 'nested too deeply to parse';
  }
  if (program && !literalsOnly(program)) return { kind: 'program', source: text };
  if (program || inLiteral) return { kind: 'none', reason: arrayReason };
  return { kind: 'none', reason: `neither a KL program (${klReason}) nor array literals (${arrayReason})` };
}

/**
 * The program "Evaluate Selection" runs for arrays: `H(p)` for one, `KL(p || q)` for two, with
 * `JS(p, q)` as the secondary.
 */
export function selectionProgram(content: Extract<SelectionContent, { kind: 'arrays' }>): SelectionProgram {
  return arrayProgram(content.arrays);
}

function where(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return `${line}:${column}`;
}

/** Names that are literals in KL too: numbers and booleans. */
const LITERAL_NAMES = new Set(['inf', 'nan', 'true', 'false', 'True', 'False']);

/** Statement keywords before an assigned name (JS/TS, Julia, Lua-ish). */
const DECLARATIONS = new Set(['const', 'let', 'var', 'local', 'global']);

/**
 * Every array statement of the text: `[...]`, `name = [...]`, `name <- c(...)`, `"name": [...]`,
 * `{ "p": [...], "q": [...] }`, and runs of bare numbers (`0.5, 0.3, 0.2`) as one array each.
 * Throws a LiteralError for anything else.
 */
function readArrays(text: string): SelectedArray[] {
  const s = new Scanner(text);
  const reader = new LiteralReader(s);
  const out: SelectedArray[] = [];
  let run: { from: number; start: number; end: number; count: number } | undefined;
  const closeRun = (): void => {
    if (!run) return;
    if (run.count < 2) throw new LiteralError('a single number is not an array', run.start, run.end, false, false);
    const p: Parsed = { shape: [run.count], from: run.from, start: run.start, end: run.end };
    out.push({ tensor: reader.tensor(p), span: { start: run.start, end: run.end } });
    run = undefined;
  };
  let comma = false;
  for (;;) {
    const t = s.peek();
    if (t.kind === 'eof') break;
    if (isPunct(t, ',')) {
      s.next();
      comma = true;
      continue;
    }
    if (isPunct(t, ';')) {
      s.next();
      closeRun();
      comma = false;
      continue;
    }
    let bareNumber = false;
    if (isPunct(t, '{')) {
      closeRun();
      readObject(s, reader, '', out);
    } else {
      const name = assignedName(s, reader);
      const v = reader.value();
      const end = reader.postfix(v.end);
      if (name === undefined && v.shape.length === 0) {
        // Bare numbers on one line, or across lines joined by commas, make one array.
        bareNumber = true;
        if (run && (comma || !t.newline)) {
          run.count++;
          run.end = end;
        } else {
          closeRun();
          run = { from: v.from, start: v.start, end, count: 1 };
        }
      } else {
        closeRun();
        if (v.shape.length === 0) throw new LiteralError(`${name} is a single number, not an array`, v.start, v.end, false, false);
        out.push(selected(reader, v, end, name));
      }
    }
    comma = false;
    const n = s.peek();
    const ends = n.kind === 'eof' || isPunct(n, ',') || isPunct(n, ';') || n.newline || (bareNumber && n.space && startsValue(n));
    if (!ends) reader.fail(`unexpected ${n.kind === 'string' ? 'string' : `'${n.text}'`} after the array`, n, false);
  }
  closeRun();
  return out;
}

function selected(reader: LiteralReader, v: Parsed, end: number, name: string | undefined): SelectedArray {
  const tensor = reader.tensor(v);
  if (tensor.data.length === 0) throw new LiteralError(`${name === undefined ? 'the array' : name} is empty`, v.start, end, false, true);
  const span = { start: v.start, end };
  return name === undefined ? { tensor, span } : { name, tensor, span };
}

/** `{ "p": [...], "q": {...} }` (JSON, Python dicts, JS objects); nested keys are joined with dots. */
function readObject(s: Scanner, reader: LiteralReader, prefix: string, out: SelectedArray[], depth = 0): void {
  const open = s.next();
  if (depth >= MAX_NESTING) reader.fail(`objects nested more than ${MAX_NESTING} levels deep`, open, true);
  for (;;) {
    const t = s.next();
    if (isPunct(t, '}')) return;
    if (t.kind === 'eof') reader.fail(`'{' at ${open.start} is never closed`, t, true);
    if (t.kind !== 'string' && t.kind !== 'name') reader.fail(`expected a key in the object, found '${t.text}'`, t, true);
    const colon = s.next();
    if (!isPunct(colon, ':')) reader.fail(`expected ':' after the key ${JSON.stringify(t.text)}`, colon, true);
    const key = `${prefix}${t.text}`;
    if (isPunct(s.peek(), '{')) {
      readObject(s, reader, `${key}.`, out, depth + 1);
    } else {
      const v = reader.value();
      const end = reader.postfix(v.end);
      if (v.shape.length === 0) reader.fail(`${key} is a single number, not an array`, v, true);
      out.push(selected(reader, v, end, key));
    }
    const n = s.next();
    if (isPunct(n, '}')) return;
    if (!isPunct(n, ',')) reader.fail(`expected ',' or '}' after ${key}, found ${n.kind === 'eof' ? 'the end' : `'${n.text}'`}`, n, true);
  }
}

/**
 * Consumes `name =`, `name <-`, `const name =`, `name: Type =`, `"name":` and returns the name;
 * consumes nothing and returns undefined when the statement is not an assignment.
 */
function assignedName(s: Scanner, reader: LiteralReader): string | undefined {
  let i = 0;
  if (s.peek().kind === 'name' && DECLARATIONS.has(s.peek().text) && s.peek(1).kind === 'name') i = 1;
  const target = s.peek(i);
  const op = s.peek(i + 1);
  if (target.kind !== 'name' && target.kind !== 'string') return undefined;
  if (target.kind === 'name' && (isArrayCallee(target.text) || specialValue(target.text) !== undefined) && !isPunct(op, '=') && !isPunct(op, '<-')) return undefined;
  const assigns = target.kind === 'name' && (isPunct(op, '=') || isPunct(op, '<-'));
  if (!assigns && !isPunct(op, ':')) return undefined;
  for (let k = 0; k < i + 2; k++) s.next();
  if (isPunct(op, ':') && target.kind === 'name' && isAnnotation(s.peek(), s.peek(1))) {
    // `p: np.ndarray = ...`, `const p: number[] = ...`: skip the type up to '=' on the same line.
    let depth = 0;
    for (;;) {
      const t = s.next();
      if (t.kind === 'eof' || (t.newline && depth === 0)) reader.fail(`expected '=' after the type of ${target.text}`, t, false);
      if (isPunct(t, '[') || isPunct(t, '(')) depth++;
      else if (isPunct(t, ']') || isPunct(t, ')')) depth--;
      else if (isPunct(t, '=') && depth === 0) break;
    }
  }
  return target.text;
}

/** After `name:`, a type (`np.ndarray`, `list[float]`, `number[]`) rather than a value. */
function isAnnotation(t: Token, next: Token): boolean {
  if (t.kind !== 'name' || specialValue(t.text) !== undefined) return false;
  return !(isArrayCallee(t.text) && isPunct(next, '('));
}

function startsValue(t: Token): boolean {
  return t.kind === 'number' || t.kind === 'name' || t.kind === 'string' || isPunct(t, '[') || isPunct(t, '(') || isPunct(t, '-') || isPunct(t, '+');
}

function isPunct(t: Token, text: string): boolean {
  return t.kind === 'punct' && t.text === text;
}

/**
 * True when a KL program holds nothing but literals (arrays, numbers, strings, inf/nan): text the
 * array reader should have taken, so its failure is the better explanation.
 */
function literalsOnly(program: Program): boolean {
  let arrays = 0;
  const walk = (e: Expr): boolean => {
    switch (e.type) {
      case 'number':
      case 'string':
        return true;
      case 'name':
        return LITERAL_NAMES.has(e.name);
      case 'unary':
        return walk(e.operand);
      case 'array':
        arrays++;
        return e.items.every(walk);
      default:
        return false;
    }
  };
  return program.statements.every((st) => walk(st.value)) && arrays > 0;
}
