/**
 * The places that compute PyTorch's KL loss, `F.kl_div(input, target, ...)` and
 * `nn.KLDivLoss(...)(input, target)`, with their input, target, `reduction` and `log_target` read
 * from the call or from the module's constructor, wherever in the file that was.
 */
import type { Model } from './model';
import { argument, booleanValue, callArgs, stringValue, type SyntaxNode, unwrap } from './syntax';

/** A setting as the code leaves it: a literal value, the default, or unknown (a variable, `**kwargs`). */
export interface Setting<T> {
  readonly value: T | undefined;
  /** The argument that sets it (a keyword_argument, or the positional value). */
  readonly node: SyntaxNode | undefined;
  readonly explicit: boolean;
}

export interface KlCall {
  readonly call: SyntaxNode;
  readonly style: 'function' | 'module';
  /** The called expression: `F.kl_div`, `self.criterion`, `nn.KLDivLoss()`. */
  readonly callee: SyntaxNode;
  readonly input: SyntaxNode | undefined;
  readonly target: SyntaxNode | undefined;
  /** The call that holds `reduction` and `log_target`: the kl_div call or the KLDivLoss constructor. */
  readonly options: SyntaxNode;
  readonly reduction: Setting<string>;
  readonly logTarget: Setting<boolean>;
  /** `size_average=` or `reduce=` is given: they decide the reduction, the old way. */
  readonly legacy: boolean;
  /**
   * The reduction the legacy arguments give when they are literals, as PyTorch maps them
   * (`_Reduction.legacy_get_enum`): reduce falsy → 'none', else size_average falsy → 'sum', else 'mean'.
   */
  readonly legacyReduction?: { readonly value: 'none' | 'sum' | 'mean'; readonly node: SyntaxNode };
}

/** Positions of the parameters in `F.kl_div(input, target, size_average, reduce, reduction, log_target)`. */
const FUNCTION_PARAMS = { size_average: 2, reduce: 3, reduction: 4, log_target: 5 } as const;
/** ... and in `nn.KLDivLoss(size_average, reduce, reduction, log_target)`. */
const MODULE_PARAMS = { size_average: 0, reduce: 1, reduction: 2, log_target: 3 } as const;

function setting<T>(call: SyntaxNode, index: number, name: string, read: (n: SyntaxNode) => T | undefined, fallback: T): Setting<T> {
  const args = callArgs(call);
  const kw = args.keywords.get(name);
  if (kw) return { value: read(kw.childForFieldName('value')!), node: kw, explicit: true };
  if (index < args.positional.length) return { value: read(args.positional[index]!), node: args.positional[index], explicit: true };
  return { value: args.splat ? undefined : fallback, node: undefined, explicit: false };
}

/** `size_average=` / `reduce=` given with anything but None, and the reduction they make. */
function legacyOf(call: SyntaxNode, params: typeof FUNCTION_PARAMS | typeof MODULE_PARAMS): Pick<KlCall, 'legacy' | 'legacyReduction'> {
  const sizeAverage = argument(call, params.size_average, 'size_average');
  const reduce = argument(call, params.reduce, 'reduce');
  const given = [sizeAverage, reduce].filter((v): v is SyntaxNode => v !== undefined && v.type !== 'none');
  if (given.length === 0) return { legacy: false };
  const sa = sizeAverage && sizeAverage.type !== 'none' ? truthiness(sizeAverage) : true;
  const rd = reduce && reduce.type !== 'none' ? truthiness(reduce) : true;
  if (sa === undefined || rd === undefined) return { legacy: true };
  const value = !rd ? 'none' : !sa ? 'sum' : 'mean';
  const decisive = value === 'none' ? reduce! : value === 'sum' ? sizeAverage! : given[given.length - 1]!;
  const node = decisive.parent?.type === 'keyword_argument' ? decisive.parent : decisive;
  return { legacy: true, legacyReduction: { value, node } };
}

/** Python's truth value of a literal: True/False/None, numbers, strings; undefined for anything else. */
function truthiness(node: SyntaxNode): boolean | undefined {
  const b = booleanValue(node);
  if (b !== undefined) return b;
  const s = stringValue(node);
  if (s !== undefined) return s.length > 0;
  const n = unwrap(node);
  if (n.type === 'integer' || n.type === 'float') return Number(n.text.replace(/_/g, '')) !== 0;
  return undefined;
}

/** The options a KLDivLoss constructor or kl_div call sets. */
export function klOptions(optionsCall: SyntaxNode, style: 'function' | 'module'): Pick<KlCall, 'reduction' | 'logTarget' | 'legacy' | 'legacyReduction'> {
  const params = style === 'function' ? FUNCTION_PARAMS : MODULE_PARAMS;
  return {
    reduction: setting(optionsCall, params.reduction, 'reduction', stringValue, 'mean'),
    logTarget: setting(optionsCall, params.log_target, 'log_target', booleanValue, false),
    ...legacyOf(optionsCall, params),
  };
}

/** Every KL loss computed in the unit the model covers. */
export function findKlCalls(model: Model): KlCall[] {
  const out: KlCall[] = [];
  const calls = [...model.callsOf('kl_div'), ...model.callsOf('KLDivLoss()')].sort((a, b) => a.startIndex - b.startIndex);
  for (const call of calls) {
    const c = model.callee(call);
    if (!c) continue;
    const callee = call.childForFieldName('function')!;
    if (c.fn === 'kl_div') {
      out.push({
        call,
        style: 'function',
        callee,
        input: argument(call, 0, 'input'),
        target: argument(call, 1, 'target'),
        options: call,
        ...klOptions(call, 'function'),
      });
    } else if (c.fn === 'KLDivLoss()' && c.constructorCall) {
      out.push({
        call,
        style: 'module',
        callee,
        input: argument(call, 0, 'input'),
        target: argument(call, 1, 'target'),
        options: c.constructorCall,
        ...klOptions(c.constructorCall, 'module'),
      });
    }
  }
  return out;
}

/** How a message names the call: `F.kl_div` or `self.criterion (nn.KLDivLoss)`. */
export function klName(site: KlCall): string {
  if (site.style === 'function') return site.callee.text;
  const ctor = site.options.childForFieldName('function')?.text ?? 'KLDivLoss';
  return site.callee.text === `${ctor}()` || site.callee.type === 'call' ? ctor : `${site.callee.text} (${ctor})`;
}
