/**
 * # KL006 distill-temperature-one-side
 *
 * ## What it does
 * Finds `kl_div` / `KLDivLoss` calls where the logits of one distribution are divided by a
 * temperature and those of the other are not: `F.kl_div(F.log_softmax(s / T), F.softmax(t))`.
 *
 * ## Why is this bad?
 * Distillation compares the student and the teacher at the same temperature: both softmaxes
 * are softened by T. (Sharpening a detached pseudo-label with a temperature on the target alone,
 * as consistency training does, is by design and not reported.) With T on one side only, the loss compares a softened distribution with a
 * sharp one; it is not zero when the student matches the teacher, and minimising it drives the
 * student's logits to T times the teacher's.
 *
 * ## Example
 * ```python
 * loss = F.kl_div(F.log_softmax(student / T, dim=-1), F.softmax(teacher, dim=-1), reduction="batchmean") * T * T
 * ```
 *
 * ## Use instead
 * ```python
 * loss = F.kl_div(F.log_softmax(student / T, dim=-1), F.softmax(teacher / T, dim=-1), reduction="batchmean") * T * T
 * ```
 *
 * ## Fix safety
 * Safe when the softmax is written in the call (or its result is used only there); unsafe when
 * the softened name is used elsewhere too.
 *
 * ## References
 * - Hinton, Vinyals, Dean, [Distilling the Knowledge in a Neural Network](https://arxiv.org/abs/1503.02531) (2015), §2
 */
import { code } from '../describe';
import { replace } from '../fixes';
import type { Fix } from '../finding';
import type { Facts, Model, Producer } from '../model';
import type { Rule } from '../rule';
import { DISTILLATION_WORDS, hasAny, roleWords } from '../roles';
import { asOperand, numberValue, operatorOf, type SyntaxNode, unwrap } from '../syntax';

const SOFTMAXES = new Set(['softmax', 'log_softmax', 'Softmax()', 'LogSoftmax()']);

export const distillTemperatureOneSide: Rule = {
  id: 'KL006',
  name: 'distill-temperature-one-side',
  severity: 'warning',
  check({ model, klCalls, report }) {
    for (const site of klCalls) {
      if (!site.input || !site.target) continue;
      const fi = model.facts(site.input);
      const ft = model.facts(site.target);
      const pi = fi.producer;
      const pt = ft.producer;
      if (!pi?.input || !pt?.input || !SOFTMAXES.has(pi.fn) || !SOFTMAXES.has(pt.fn)) continue;
      let cold: { arg: SyntaxNode; facts: Facts; producer: Producer } | undefined;
      let T: SyntaxNode | undefined;
      if (pi.temperature && !pt.temperature && untempered(pt.input, model)) {
        cold = { arg: site.target, facts: ft, producer: pt };
        T = pi.temperature;
      } else if (pt.temperature && !pi.temperature && untempered(pi.input, model)) {
        cold = { arg: site.input, facts: fi, producer: pi };
        T = pt.temperature;
      }
      if (!cold || !T) continue;
      const side = cold.arg === site.target ? 'target' : 'input';
      if (side === 'input' && (sharpening(site.target, ft, T, model) || handMade(pt.input, model))) continue;
      const hot = side === 'target' ? site.input : site.target;
      report({
        node: cold.arg,
        message: `The ${side === 'target' ? 'input' : 'target'} ${code(hot)} is softened by ${code(T)}, but the ${side} ${code(cold.arg)} is not: both sides need the same temperature. Divide ${code(cold.producer.input!)} by ${code(T)}.`,
        ...fixFor(cold, T, model),
      });
    }
  },
};

/**
 * Consistency training sharpens a pseudo-label: the detached target alone gets a temperature
 * (below 1 as a rule: UDA, FixMatch-style code). That is by design unless the names say
 * teacher and student.
 */
function sharpening(target: SyntaxNode, ft: Facts, T: SyntaxNode, model: Model): boolean {
  const value = numberValue(T);
  if (value !== undefined && value < 1) return true;
  if (hasAny(roleWords(target, ft, model), DISTILLATION_WORDS)) return false;
  return ft.detached || model.scopes.inNoGrad(target.startIndex);
}

/**
 * A tensor built from numbers (`torch.ones_like(x) * (1 - p) / (K - 1)`, a one-hot), not a
 * model's logits: a virtual teacher smoothed by its own temperature, as Tf-KD does by design.
 */
function handMade(node: SyntaxNode, model: Model, depth = 0): boolean {
  if (depth > 6) return false;
  const n = unwrap(node);
  if (n.type === 'call') {
    const c = model.callee(n);
    if (c?.fn === 'constant') return true;
    return c?.receiver !== undefined && c.fn.startsWith('.') && handMade(c.receiver, model, depth + 1);
  }
  if (n.type === 'binary_operator') {
    const l = n.childForFieldName('left');
    return !!l && handMade(l, model, depth + 1);
  }
  if (n.type === 'identifier') {
    const a = model.single(n);
    return !!a && handMade(a.value, model, depth + 1);
  }
  return false;
}

/**
 * True when the logits are surely not softened already: a call, attribute or subscript (a model's
 * output), or a name whose value is one. Names assigned in ways the model cannot see are left alone.
 */
function untempered(input: SyntaxNode, model: Model, depth = 0): boolean {
  const n = unwrap(input);
  if (depth > 3) return false;
  if (n.type === 'call' || n.type === 'attribute' || n.type === 'subscript' || numberValue(n) !== undefined) return true;
  if (n.type === 'binary_operator') {
    // model(x) + self.bias: untempered if no part is divided and every part is untempered.
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    return operatorOf(n) !== '/' && !!l && !!r && untempered(l, model, depth + 1) && untempered(r, model, depth + 1);
  }
  if (n.type !== 'identifier') return false;
  const reach = model.scopes.reaching(n);
  if (reach === undefined) {
    // A parameter: the caller's logits as they are.
    const scope = model.scopes.scopeAt(n.startIndex);
    return scope.node !== undefined && model.scopes.parametersOf(scope).has(n.text) && !model.scopes.assignedBefore(n);
  }
  return reach.length === 1 && !reach[0]!.augmented && untempered(reach[0]!.value, model, depth + 1);
}

function fixFor(cold: { arg: SyntaxNode; facts: Facts; producer: Producer }, T: SyntaxNode, model: Model): { fix?: Fix } {
  const logits = cold.producer.input!;
  const edit = replace(logits, `${asOperand(logits)} / ${asOperand(T)}`);
  const direct = cold.facts.names.length === 0 && unwrap(cold.arg).startIndex === cold.producer.call.startIndex;
  if (direct) return { fix: { description: `Divide by ${T.text}`, safety: 'safe', edits: [edit] } };
  const name = cold.facts.names[cold.facts.names.length - 1]!;
  const onlyHere = cold.facts.names.length === 1 && model.scopes.usesOf(name.text, model.scopes.scopeAt(name.startIndex)).length === 1;
  return { fix: { description: `Divide by ${T.text} where ${name.text} is computed`, safety: onlyHere ? 'safe' : 'unsafe', edits: [edit] } };
}
