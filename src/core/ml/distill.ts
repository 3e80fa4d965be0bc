/**
 * Knowledge-distillation loss T² · KL(softmax(teacher/T) ‖ softmax(student/T)), batch-mean over
 * rows — exactly `F.kl_div(F.log_softmax(s/T, -1), F.softmax(t/T, -1), reduction="batchmean") * T*T`.
 *
 * ## Method
 * Both log-softmaxes are taken in log space (max subtracted); each row's KL is Σ p_T·(log p_T −
 * log p_S) with p_T = exp(log p_T), so a teacher probability that underflows contributes exactly 0
 * and nothing is clipped. The T² factor keeps gradient magnitudes comparable across temperatures
 * (Hinton et al., "Distilling the Knowledge in a Neural Network", 2015, §2).
 *
 * @example
 * distill(student, teacher, { temperature: 4 }).value
 */
import { classify } from '../classify/classify';
import { type Arg, fail } from '../divergence/operands';
import { finishRows, firstDimOf, firstDimOfShape, rowwise, scaled } from '../divergence/rowwise';
import { CHUNK_ELEMENTS, type LazyArg, type Runtime, streamMeasure } from '../divergence/stream';
import { lazySoftmax, type LazyTensor } from '../lazy';
import type { Span } from '../errors';
import { sum } from '../numeric/sum';
import type { DistillResult, Reduction, Warning } from '../result';
import { broadcastShapes, broadcastTo, indexString, lastDim, shapeString, type Tensor } from '../tensor';
import { natsTo, type Unit } from '../units';
import { logSoftmax } from './softmax';

export function checkLogits(fn: string, a: Arg): void {
  if (a.tensor.data.length === 0) fail(fn, a, `is empty (shape ${shapeString(a.tensor.shape)})`);
  const i = a.tensor.data.findIndex((x) => Number.isNaN(x) || x === Infinity);
  if (i >= 0) fail(fn, a, `has ${a.tensor.data[i]} at index ${indexString(i, a.tensor.shape)}; logits must be finite or −∞`);
}

/** Broadcasts two operands that must agree on the last axis. */
export function alignLogits(fn: string, a: Arg, b: Arg): [Tensor, Tensor] {
  const aShape = a.tensor.shape.length === 0 ? [1] : a.tensor.shape;
  const bShape = b.tensor.shape.length === 0 ? [1] : b.tensor.shape;
  const na = aShape[aShape.length - 1]!;
  const nb = bShape[bShape.length - 1]!;
  if (na !== nb) fail(fn, b, `has ${nb} entries along the last axis but ${a.role} has ${na}`);
  const shape = broadcastShapes(aShape, bShape);
  if (!shape) fail(fn, b, `has shape ${shapeString(bShape)} but ${a.role} has shape ${shapeString(aShape)}`);
  return [broadcastTo({ shape: aShape, data: a.tensor.data }, shape), broadcastTo({ shape: bShape, data: b.tensor.data }, shape)];
}

/**
 * The warning for logits that are already distributions (non-negative rows summing to 1, judged by
 * the classifier): softmax(p/T) of probabilities p ∈ [0, 1] is not the distribution meant, and at
 * the usual T ≥ 1 it is nearly uniform, so the loss comes out near 0 whatever the models do.
 * Log-probabilities are fine and not warned about: log p = logits − logsumexp(logits) per row, and
 * softmax is shift-invariant. Streamed operands are judged by their first row only.
 */
export function distributionsWarning(
  operands: readonly { readonly role: string; readonly span: Span | undefined; readonly tensor: Tensor }[],
  span: Span | undefined,
  { firstRowOnly = false }: { firstRowOnly?: boolean } = {},
): Warning | undefined {
  // With one outcome per row every input is "a distribution" and the loss is 0 anyway.
  const flagged = operands.filter((o) => lastDim(o.tensor) > 1 && classify(o.tensor).kind === 'distribution');
  if (flagged.length === 0) return undefined;
  const subject = flagged.map((o) => o.role).join(' and ');
  const many = flagged.length > 1;
  const rows = firstRowOnly || flagged.some((o) => o.tensor.shape.length > 1);
  const what = rows ? `${subject} rows are already distributions` : many ? `${subject} are already distributions` : `${subject} is already a distribution`;
  const evidence = firstRowOnly ? (many ? 'the first row of each sums to 1' : 'its first row sums to 1') : many || rows ? 'each sums to 1' : 'it sums to 1';
  return {
    code: 'distributions-not-logits',
    message: `${what} (${evidence}); distill takes logits and applies softmax(·/T) itself — pass the logits (or log(p)) instead.`,
    span: many ? span : flagged[0]!.span,
  };
}

/** The first row of a streamed operand, when it fits in a chunk: the one the warning above reads. */
function firstRow(lazy: LazyTensor, chunk: number): Tensor | undefined {
  const n = lazy.shape.length === 0 ? 1 : lazy.shape[lazy.shape.length - 1]!;
  if (n === 0 || n > chunk) return undefined;
  const data = new Float64Array(n);
  lazy.read(0, n, data);
  return { shape: [n], data };
}

export function distill(
  student: Arg,
  teacher: Arg,
  options: { temperature: number; unit: Unit; reduction?: Reduction; span?: Span },
): DistillResult {
  const T = options.temperature;
  checkLogits('distill', student);
  checkLogits('distill', teacher);
  const [s, t] = alignLogits('distill', student, teacher);
  const logS = logSoftmax(s, T);
  const logT = logSoftmax(t, T);
  const output = rowwise(logT, logS, (lt, ls, sum, terms) => {
    for (let i = 0; i < lt.length; i++) {
      const pt = Math.exp(lt[i]!);
      const term = pt === 0 ? 0 : pt * (lt[i]! - ls[i]!);
      sum.add(term);
      if (terms) terms[i] = term;
    }
  });
  const warning = distributionsWarning([student, teacher], options.span);
  const warnings: Warning[] = warning ? [warning] : [];
  const reduction = options.reduction ?? 'batchmean';
  const firstDim = firstDimOf(s);
  const common = finishRows('distill', output, { unit: options.unit, reduction, warnings, span: options.span, firstDim });
  const factor = natsTo(options.unit);
  return {
    kind: 'distill',
    ...common,
    label: `T²·KL(p_T‖p_S)`,
    value: scaled(common.value, T * T),
    temperature: T,
    operands: [
      { ...student, shape: s.shape, tensor: s, rescaled: false },
      { ...teacher, shape: t.shape, tensor: t, rescaled: false },
    ],
    teacherProbs: { shape: logT.shape, data: logT.data.map(Math.exp) },
    studentProbs: { shape: logS.shape, data: logS.data.map(Math.exp) },
    klRows: common.rows,
    kl: common.value,
    batchmean: (sum(output.rows.data) / firstDim) * factor,
  };
}

/**
 * distill over logits too large to hold: KL(softmax(t/T) ‖ softmax(s/T)) streamed row by row,
 * then the batch mean and T². The softmax probabilities are not kept.
 */
export function streamDistill(
  student: LazyArg,
  teacher: LazyArg,
  options: { temperature: number; unit: Unit; reduction?: Reduction; span?: Span },
  runtime: Runtime,
): DistillResult {
  const T = options.temperature;
  const pT = { ...teacher, role: 'p_T', lazy: lazySoftmax(teacher.lazy, T, `softmax(${teacher.text} / T)`) };
  const pS = { ...student, role: 'p_S', lazy: lazySoftmax(student.lazy, T, `softmax(${student.text} / T)`) };
  const reduction = options.reduction ?? 'batchmean';
  const kl = streamMeasure('KL', pT, pS, { base: options.unit.base, reduction, normalize: false, ...(options.span ? { span: options.span } : {}) }, runtime);
  const rowsTotal = sum(kl.rows.data);
  const chunk = Math.max(1, runtime.chunkElements ?? CHUNK_ELEMENTS);
  const firstRows = [student, teacher].flatMap((a) => {
    const row = firstRow(a.lazy, chunk);
    return row ? [{ role: a.role, span: a.span, tensor: row }] : [];
  });
  const warning = distributionsWarning(firstRows, options.span, { firstRowOnly: true });
  return {
    kind: 'distill',
    label: 'T²·KL(p_T‖p_S)',
    value: scaled(kl.value, T * T),
    unit: options.unit,
    reduction,
    rows: kl.rows,
    // The softmaxes sum to 1 up to rounding; the not-normalized note would only be noise here.
    warnings: [...(warning ? [warning] : []), ...kl.warnings.filter((w) => w.code !== 'not-normalized')],
    span: options.span,
    temperature: T,
    operands: [
      { role: 'student', text: student.text, span: student.span, shape: student.lazy.shape, source: student.lazy.label, rescaled: false },
      { role: 'teacher', text: teacher.text, span: teacher.span, shape: teacher.lazy.shape, source: teacher.lazy.label, rescaled: false },
    ],
    klRows: kl.rows,
    kl: kl.value,
    batchmean: rowsTotal / firstDimOfShape(student.lazy.shape),
  };
}
