/** Command-line parsing for `kl-lens`: small and strict, so a typo is an error, not a silent default. */
import { type LintArgs, parseLint } from './lint/args';

/** A failure whose message is ready to show the user as `error: <message>`. */
export class CliError extends Error {}

export class UsageError extends CliError {}

export interface EvalArgs {
  readonly command: 'eval';
  /** The program text, `-` for stdin, or undefined with `file`. */
  readonly program: string | undefined;
  readonly file: string | undefined;
  readonly vars: readonly { name: string; path: string; key: string | undefined }[];
  readonly json: boolean;
  readonly digits: number;
  /** Write a self-contained HTML report here. */
  readonly html: string | undefined;
}

export interface InspectArgs {
  readonly command: 'inspect';
  readonly file: string;
  readonly json: boolean;
}

export type CliArgs = EvalArgs | InspectArgs | LintArgs | { readonly command: 'help' } | { readonly command: 'version' };

const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

export function parseArgs(argv: readonly string[]): CliArgs {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return { command: 'help' };
  if (argv[0] === '--version' || argv[0] === '-V') return { command: 'version' };
  const [command, ...rest] = argv;
  if (command === 'inspect') return parseInspect(rest);
  if (command === 'lint') return parseLint(rest);
  if (command !== 'eval') throw new UsageError(`unknown command '${command}'; try 'kl-lens --help'`);

  let program: string | undefined;
  let file: string | undefined;
  let json = false;
  let html: string | undefined;
  let digits = 5;
  const vars: { name: string; path: string; key: string | undefined }[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = (): string => {
      const v = a.includes('=') && a.startsWith('--') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    const flag = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (flag === '--help' || flag === '-h') return { command: 'help' };
    else if (flag === '--json') json = true;
    else if (flag === '--var' || flag === '-v') vars.push(parseVar(value()));
    else if (flag === '--file' || flag === '-f') file = value();
    else if (flag === '--html') html = value();
    else if (flag === '--digits') {
      const d = Number(value());
      if (!Number.isInteger(d) || d < 1 || d > 17) throw new UsageError('--digits must be an integer from 1 to 17');
      digits = d;
    } else if (a.startsWith('-') && a !== '-' && !/^-[\d.]/.test(a)) throw new UsageError(`unknown option '${a}'; try 'kl-lens --help'`);
    else if (program === undefined) program = a;
    else throw new UsageError(`unexpected argument '${a}': quote the program as one argument, e.g. kl-lens eval "KL(p || q)"`);
  }
  if (program === undefined && file === undefined) throw new UsageError("eval needs a program: kl-lens eval 'KL(p || q)' (or '-' to read it from stdin, or --file F.kl)");
  if (program !== undefined && file !== undefined) throw new UsageError('give either a program or --file, not both');
  return { command: 'eval', program, file, vars, json, digits, html };
}

function parseInspect(rest: readonly string[]): CliArgs {
  let file: string | undefined;
  let json = false;
  for (const a of rest) {
    if (a === '--help' || a === '-h') return { command: 'help' };
    if (a === '--json') json = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'; try 'kl-lens --help'`);
    else if (file === undefined) file = a;
    else throw new UsageError(`inspect takes one file, got '${file}' and '${a}'`);
  }
  if (file === undefined) throw new UsageError('inspect needs a file: kl-lens inspect FILE');
  return { command: 'inspect', file, json };
}

/** `NAME=PATH[#KEY]` — the key picks a tensor inside a container file. */
function parseVar(spec: string): { name: string; path: string; key: string | undefined } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--var expects NAME=PATH[#KEY], got '${spec}'`);
  const name = spec.slice(0, eq);
  if (!NAME.test(name)) throw new UsageError(`--var: '${name}' is not a valid name`);
  const target = spec.slice(eq + 1);
  const hash = target.lastIndexOf('#');
  const path = hash >= 0 ? target.slice(0, hash) : target;
  if (path === '') throw new UsageError(`--var ${name}: missing file path`);
  return { name, path, key: hash >= 0 ? target.slice(hash + 1) : undefined };
}
