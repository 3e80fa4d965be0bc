/** `kl-lens lint PATH... [--format text|json|sarif] [--select IDS] [--ignore IDS] [--fix]`. */
import { RULE_IDS, RULES, type RuleId } from '../../core/lint/index';
import { UsageError } from '../args';

export type LintFormat = 'text' | 'json' | 'sarif';

export interface LintArgs {
  readonly command: 'lint';
  readonly paths: readonly string[];
  readonly format: LintFormat;
  readonly select: readonly RuleId[] | undefined;
  readonly ignore: readonly RuleId[];
  readonly fix: boolean;
}

export function parseLint(rest: readonly string[]): LintArgs | { readonly command: 'help' } {
  const paths: string[] = [];
  let format: LintFormat = 'text';
  let select: RuleId[] | undefined;
  const ignore: RuleId[] = [];
  let fix = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') return { command: 'help' };
    else if (flag === '--format') {
      const f = value();
      if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${f}'`);
      format = f;
    } else if (flag === '--select') select = [...(select ?? []), ...ruleList(value(), '--select')];
    else if (flag === '--ignore') ignore.push(...ruleList(value(), '--ignore'));
    else if (flag === '--fix') fix = true;
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'; try 'kl-lens --help'`);
    else paths.push(a);
  }
  if (paths.length === 0) throw new UsageError('lint needs at least one file or folder: kl-lens lint PATH...');
  return { command: 'lint', paths, format, select, ignore, fix };
}

/** `KL001,KL003` or rule names (`kl-div-mean-reduction`); `KL00` selects KL001–KL009 as a prefix, as ruff does. */
function ruleList(text: string, flag: string): RuleId[] {
  const out: RuleId[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const upper = raw.toUpperCase();
    const byName = RULES.find((r) => r.name === raw.toLowerCase());
    const matches = byName ? [byName.id] : RULE_IDS.filter((id) => id.startsWith(upper) && /^KL\d*$/.test(upper));
    if (matches.length === 0) throw new UsageError(`${flag}: unknown rule '${raw}' (rules are KL001–KL010)`);
    out.push(...matches);
  }
  return out;
}
