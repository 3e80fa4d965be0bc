/**
 * Distillation loss T²·KL(p_T‖p_S): the temperature-scaled softmaxes, the per-row KL, the batch
 * mean over B rows, and the T² factor — each with the user's numbers.
 */
import type { DistillResult, WarningCode } from '../result';
import { lastDim, rowCount } from '../tensor';
import { type Ctx, equation, leftoverWarnings, note, reductionSteps, rowsStep, streamedSteps, summarize, toNats } from './common';
import type { Step } from './step';
import { type Both, joinSum, texFactor, textFactor, texVector } from './tex';

/** Rows of probabilities written out at most (each at most maxTerms long). */
const SHOWN_ROWS = 4;

/** The derivation of distill(student, teacher, T). */
export function deriveDistill(r: DistillResult, ctx: Ctx): Step[] {
  const [student, teacher] = r.operands;
  const T = r.temperature;
  const t = ctx.num(T);
  const unit = r.unit;
  const steps: Step[] = [...streamedSteps(r.operands)];
  const shape = student?.shape ?? [];
  const n = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const rows = r.klRows.data.length;
  const perRow = r.klRows.shape.length > 0;
  const pT = r.teacherProbs;
  const pS = r.studentProbs;
  const small = pT !== undefined && pS !== undefined && n <= ctx.maxTerms && rowCount(pT) <= SHOWN_ROWS && lastDim(pT) === n;

  // Softmaxes with temperature.
  let softmaxTex = `p_T = \\operatorname{softmax}(t / T),\\quad p_S = \\operatorname{softmax}(s / T),\\quad T = ${t.tex}`;
  let softmaxText = `p_T = softmax(t / T), p_S = softmax(s / T) with T = ${t.text}, t = ${teacher?.text ?? 'teacher'} (teacher logits), s = ${student?.text ?? 'student'} (student logits)`;
  if (small && teacher?.tensor && student?.tensor) {
    const lines: string[] = [];
    const textLines: string[] = [];
    for (let b = 0; b < rowCount(pT); b++) {
      const sub = rows > 1 ? `^{(${b})}` : '';
      const textSub = rows > 1 ? `(${b})` : '';
      const slice = (d: Float64Array) => d.subarray(b * n, (b + 1) * n);
      const tl = texVector(slice(teacher.tensor.data), ctx.digits, ctx.maxTerms);
      const sl = texVector(slice(student.tensor.data), ctx.digits, ctx.maxTerms);
      const tp = texVector(slice(pT.data), ctx.digits, ctx.maxTerms);
      const sp = texVector(slice(pS.data), ctx.digits, ctx.maxTerms);
      lines.push(`p_T${sub} = \\operatorname{softmax}\\left(${tl.tex} / ${t.tex}\\right) = ${tp.tex},\\quad p_S${sub} = \\operatorname{softmax}\\left(${sl.tex} / ${t.tex}\\right) = ${sp.tex}`);
      textLines.push(`p_T${textSub} = softmax(${tl.text} / ${t.text}) = ${tp.text}, p_S${textSub} = softmax(${sl.text} / ${t.text}) = ${sp.text}`);
    }
    softmaxTex = `${softmaxTex}\\\\ ${lines.join(' \\\\ ')}`;
    softmaxText = `${softmaxText}; ${textLines.join('; ')}`;
    softmaxTex = `\\begin{gathered} ${softmaxTex} \\end{gathered}`;
  }
  steps.push(equation('Softened distributions', softmaxTex, softmaxText));

  // KL of each row.
  const D: Both = { tex: 'D', text: 'D' };
  const many = rows > 1;
  const definition = {
    tex: `D${many ? '_b' : ''} = D_{\\mathrm{KL}}\\left(p_T${many ? '^{(b)}' : ''} \\,\\|\\, p_S${many ? '^{(b)}' : ''}\\right) = \\sum_i p_{T,i} \\log\\frac{p_{T,i}}{p_{S,i}}`,
    text: `D${many ? '_b' : ''} = KL(p_T‖p_S)${many ? ' of row b' : ''} = Σ_i p_T,i log(p_T,i / p_S,i)`,
  };
  if (rows === 1) {
    const v = ctx.val(r.klRows.data[0]!, unit);
    let middle = { tex: '', text: '' };
    if (small) {
      const scale = toNats(unit);
      const pieces = joinSum(
        Array.from({ length: n }, (_, i) => {
          const a = { tex: texFactor(pT.data[i]!, ctx.digits), text: textFactor(pT.data[i]!, ctx.digits) };
          const b = { tex: texFactor(pS.data[i]!, ctx.digits), text: textFactor(pS.data[i]!, ctx.digits) };
          return { tex: `${a.tex} \\ln\\frac{${a.tex}}{${b.tex}}`, text: `${a.text}·ln(${a.text}/${b.text})` };
        }),
      );
      const wrapped = scale === 1 ? pieces : { tex: `\\frac{1}{\\ln ${texFactor(unit!.base, ctx.digits)}}\\left(${pieces.tex}\\right)`, text: `(${pieces.text}) / ln ${textFactor(unit!.base, ctx.digits)}` };
      middle = { tex: ` = ${wrapped.tex}`, text: ` = ${wrapped.text}` };
    }
    steps.push(equation('KL per row', `${definition.tex}${middle.tex} = ${v.tex}`, `${definition.text}${middle.text} = ${v.text}`));
  } else {
    steps.push(equation('KL per row', definition.tex, definition.text));
    steps.push(rowsStep(ctx, 'Per-row values', D, r.klRows, unit));
  }

  // Reduction over rows, then T².
  const reduced = r.kl.data[0]!;
  const covered = new Set<WarningCode>();
  if (r.reduction !== 'none') {
    steps.push(
      ...reductionSteps(ctx, {
        symbol: D,
        rowSymbol: D,
        rows: r.klRows,
        reduction: r.reduction,
        value: reduced,
        unit,
        firstDim: shape.length === 0 ? 1 : shape[0]!,
        rowLength: n,
      }),
    );
    if (perRow && r.reduction === 'mean') covered.add('mean-reduction');
    if (!perRow && r.reduction === 'batchmean') covered.add('batchmean-1d');
  }
  const t2 = ctx.num(T * T);
  if (r.value.data.length === 1) {
    const red = ctx.num(reduced);
    const v = ctx.val(r.value.data[0]!, unit);
    steps.push(
      equation(
        'Temperature factor',
        `T^2 \\cdot ${texFactor(reduced, ctx.digits)} = ${t2.tex} \\cdot ${texFactor(reduced, ctx.digits)} = ${v.tex}`,
        `T² · ${red.text} = ${t2.text} · ${red.text} = ${v.text}`,
      ),
    );
  } else {
    const v = summarize(r.value);
    steps.push(
      equation(
        'Temperature factor',
        `T^2 D_b = ${t2.tex}\\, D_b,\\quad \\text{mean over rows} = ${ctx.val(v.mean, unit).tex}`,
        `T² · D_b = ${t2.text} · D_b per row (reduction="none"); mean over ${rows} rows ${ctx.val(v.mean, unit).text}`,
      ),
    );
  }
  steps.push(
    note(
      'Why T²',
      `Softening with temperature T scales the gradients of the soft-target term by about 1/T², so multiplying by T² = ${t2.text} keeps its magnitude comparable across temperatures and against a hard-label loss (Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural Network", 2015).`,
    ),
  );
  return [...steps, ...leftoverWarnings(r.warnings, covered)];
}
