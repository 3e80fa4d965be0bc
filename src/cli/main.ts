/**
 * `kl-lens`: the command-line front end over the pure core. Every failure ends as one line
 * `error: ...` on stderr and exit status 1 — never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KlError, formatError, runProgram, parse, type Value } from '../core/index';
import { formatValue } from '../core/format';
import { valueToJson } from '../core/json';
import { CliError, type EvalArgs, parseArgs, UsageError } from './args';
import { FileLoader } from '../host/load';
import { threadScheduler } from '../host/threads';
import { TensorFormatError } from '../io/errors';
import { inspectCommand } from './inspect';
import type * as Report from './report';
import { helpText } from './help';
import { lintCommand } from './lint/command';

declare const KL_LENS_VERSION: string | undefined;

function readProgram(args: EvalArgs): string {
  if (args.file !== undefined) return readFileSync(args.file, 'utf8');
  if (args.program === '-') return readFileSync(0, 'utf8');
  return args.program!;
}

function evalCommand(args: EvalArgs): number {
  const source = readProgram(args);
  // A .kl file's load() paths are relative to the file, as in the editor.
  const loader = new FileLoader(args.file !== undefined ? dirname(resolve(args.file)) : process.cwd());
  const env = new Map<string, Value>();
  let outcome: ReturnType<typeof runProgram>;
  try {
    for (const v of args.vars) {
      try {
        env.set(v.name, loader.load(v.path, v.key));
      } catch (e) {
        if (e instanceof TensorFormatError) throw new CliError(`--var ${v.name}: ${e.message}`);
        throw e;
      }
    }
    try {
      outcome = runProgram(parse(source), source, { env, functions: { load: loader.builtin() }, runtime: { scheduler: threadScheduler() } });
    } catch (e) {
      // Spans are offsets into this program text, so the position is worked out here.
      if (e instanceof KlError) throw new CliError(formatError(e, source));
      if (e instanceof TensorFormatError) throw new CliError(e.message);
      throw e;
    }
  } finally {
    loader.close();
  }
  const value = outcome.value;
  if (!value) throw new UsageError('the program has no statements');
  if (args.html !== undefined) {
    // The report renders TeX with KaTeX, a third of the CLI's code: it is a bundle of its own,
    // loaded only for --html, so every other run starts that much sooner.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const report = require(join(__dirname, 'cliReport.js')) as typeof Report;
    report.writeReport(args.html, source, value, args.digits);
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(valueToJson(value, source))}\n`);
  } else {
    process.stdout.write(`${formatValue(value, { digits: args.digits })}\n`);
    if (value.type === 'result') for (const w of value.result.warnings) process.stderr.write(`warning: ${w.message}\n`);
  }
  return 0;
}

export function main(argv: readonly string[]): number | Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'help':
        process.stdout.write(helpText());
        return 0;
      case 'version':
        process.stdout.write(`${typeof KL_LENS_VERSION === 'string' ? KL_LENS_VERSION : 'dev'}\n`);
        return 0;
      case 'eval':
        return evalCommand(args);
      case 'inspect':
        return inspectCommand(args);
      case 'lint':
        // Usage and I/O errors of lint exit with 2, as linters do; findings with 1.
        return lintCommand(args).catch((e: unknown) => {
          process.stderr.write(`error: ${describeError(e)}\n`);
          return 2;
        });
    }
  } catch (e) {
    process.stderr.write(`error: ${describeError(e)}\n`);
    return e instanceof UsageError && argv[0] === 'lint' ? 2 : 1;
  }
}

function describeError(e: unknown): string {
  if (e instanceof CliError || e instanceof TensorFormatError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && err.path) return `${err.path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`;
  if (e instanceof RangeError) return `out of resources: ${e.message}`;
  return `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

const status = main(process.argv.slice(2));
if (typeof status === 'number') process.exitCode = status;
else void status.then((code) => (process.exitCode = code));
