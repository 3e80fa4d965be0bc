import { BUILTINS } from '../core/index';

/** `kl-lens --help`: usage, options, and the function reference generated from the builtins themselves. */
export function helpText(): string {
  const width = Math.max(...Object.values(BUILTINS).map((b) => b.spec.usage.length));
  const functions = Object.values(BUILTINS)
    .map((b) => `  ${b.spec.usage.padEnd(width)}  ${b.spec.summary}`)
    .join('\n');
  return `kl-lens — evaluate KL divergences and related measures, and see why the number is what it is

Usage:
  kl-lens eval '<program>' [--var NAME=PATH[#KEY]]... [--json] [--digits N] [--html FILE]
  kl-lens eval - ...            read the program from stdin
  kl-lens eval --file F.kl ...  read the program from a file
  kl-lens inspect FILE [--json] every tensor in a file: key, dtype, shape, size, min/max/sum,
                                and whether the last axis looks like a distribution, log-probs or logits
  kl-lens lint PATH... [--format text|json|sarif] [--select IDS] [--ignore IDS] [--fix]
                                KL mistakes in .py files and .ipynb notebooks (folders are searched):
                                rules KL001-KL010, see the README; exit 0 clean, 1 found, 2 usage/IO error
  kl-lens --help | --version

Options:
  --var NAME=PATH[#KEY]  bind NAME to a tensor in a file: .npy, .npz, .safetensors, .pt/.pth,
                         .csv/.tsv, .json. KEY picks one inside a container (npz member,
                         safetensors name, dotted path in a .pt); relative paths resolve against
                         the current directory (with --file, against the file's folder). Large
                         tensors stay in the file and are streamed.
  --json                 print one JSON object: {"value", "unit", "warnings", ...}; non-finite
                         numbers are the strings "Infinity", "-Infinity", "NaN"
  --digits N             significant digits in the text answer (default 5)
  --html FILE            also write a self-contained HTML report: the value, the derivation
                         typeset with KaTeX, and the charts (no network needed to view it)

Language:
  Statements are separated by newlines or ';', '#' starts a comment; 'name = expr' assigns.
  The value of the program is its last statement. Numbers, nested arrays [[1, 2], [3, 4]],
  strings, + - * / ^ (element-wise, with broadcasting), calls f(x, T=4).
  Divergences take two distributions as P || Q, P ‖ Q or P, Q.
  Options on divergences: base= (e, 2, 10, any b > 0, or "bits"/"nats"/"hartleys"),
  reduction= ("none", "sum", "mean", "batchmean"), normalize= (true/false; default true).
  Constants: e, pi, inf, nan, true, false. load("PATH", "KEY") reads a tensor from a file.

Functions:
${functions}

Examples:
  kl-lens eval "KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2])"
  kl-lens eval "KL(N(0, 1) || N(1, 2), base=2)"
  kl-lens eval 'distill(s, t, T=4)' --var s=student.npy --var t=teacher.npy --json

Lint options:
  --format F             text (path:line:col: RULE message), json (one array), or sarif (2.1.0)
  --select IDS           only these rules: ids, prefixes or names, comma-separated (KL001,KL00)
  --ignore IDS           not these rules
  --fix                  apply the safe fixes in place (never to a file that does not parse)
  Suppress on a line with '# noqa: KL003' or '# kl-lens: ignore[KL003]', in a file with
  '# kl-lens: ignore-file[KL003]'.

Errors print one line 'error: ...' on stderr and exit with status 1 (lint: 2).
`;
}
