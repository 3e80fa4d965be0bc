/**
 * The places that compute PyTorch's KL loss, `F.kl_div(input, target, ...)` and
 * `nn.KLDivLoss(...)(input, target)`, with their input, target, `reduction` and `log_target` read
 * from the call or from the module's constructor, wherever in the file that was.
 */
import type { Model } from './model';
import { argument, booleanValue, callArgs, stringValue, type SyntaxNode } from './syntax';

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

/** `size_average=` / `reduce=` given with anything but None. */
function legacyOf(call: SyntaxNode, params: typeof FUNCTION_PARAMS | typeof MODULE_PARAMS): boolean {
  for (const name of ['size_average', 'reduce'] as const) {
    const v = argument(call, params[name], name);
    if (v && v.type !== 'none') return true;
  }
  return false;
}

/** The options a KLDivLoss constructor or kl_div call sets. */
export function klOptions(optionsCall: SyntaxNode, style: 'function' | 'module'): Pick<KlCall, 'reduction' | 'logTarget' | 'legacy'> {
  const params = style === 'function' ? FUNCTION_PARAMS : MODULE_PARAMS;
  return {
    reduction: setting(optionsCall, params.reduction, 'reduction', stringValue, 'mean'),
    logTarget: setting(optionsCall, params.log_target, 'log_target', booleanValue, false),
    legacy: legacyOf(optionsCall, params),
  };
}

/** Every KL loss computed in the unit the model covers. */
export function findKlCalls(model: Model): KlCall[] {
  const out: KlCall[] = [];
  for (const call of model.calls) {
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
