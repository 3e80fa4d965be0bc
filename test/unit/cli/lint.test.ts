/**
 * The `kl-lens lint` contract, on the built bundle: output formats (SARIF validated against the
 * official 2.1.0 schema), exit codes, rule selection, --fix, and every kind of file it must pass
 * over or refuse without hanging.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
let work = '';

const HEAD = 'import torch\nimport torch.nn.functional as F\n';
const BAD = `${HEAD}def kd(s, t, y, T=4.0):\n    soft = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1))\n    return soft + F.cross_entropy(s, y)\n`;
const CLEAN = `${HEAD}def kd(s, t, T=4.0):\n    return F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean") * T * T\n`;

function notebook(cells: string[]): string {
  const nb = {
    cells: cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) })),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(nb, null, 1)}\n`;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function lint(args: readonly string[]): Run {
  const r = spawnSync(process.execPath, [CLI, 'lint', ...args], { encoding: 'utf8', cwd: work, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(work, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return name;
}

before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build`);
  work = mkdtempSync(join(tmpdir(), 'kl-lens-lint-'));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('kl-lens lint: text output and exit codes', () => {
  it('prints path:line:col: RULE message for each finding, a summary on stderr, and exits 1', () => {
    file('bad.py', BAD);
    const r = lint(['bad.py']);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(' ')[0]! + l.split(' ')[1]),
      ['bad.py:4:12:KL003', 'bad.py:4:12:KL005'],
    );
    assert.ok(lines.every((l) => l.endsWith('[*]')), 'both have safe fixes');
    assert.match(r.stderr, /Found 2 KL problems \(1 file checked; 2 fixable with --fix/);
  });

  it('exits 0 with nothing on stdout for clean code', () => {
    file('clean.py', CLEAN);
    const r = lint(['clean.py']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /No KL problems found \(1 file checked\)/);
  });

  it('exits 2 on usage errors, with one line on stderr', () => {
    for (const args of [[], ['--format', 'xml', 'clean.py'], ['--select', 'KL999', 'clean.py'], ['--bogus', 'clean.py']]) {
      const r = lint(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /^error: .+\n$/);
      assert.doesNotMatch(r.stderr, /\n {4}at /, 'no stack trace');
    }
  });

  it('selects and ignores rules by id, prefix or name', () => {
    file('bad.py', BAD);
    const rules = (args: string[]) => lint([...args, 'bad.py']).stdout.trim().split('\n').filter(Boolean).map((l) => l.split(' ')[1]);
    assert.deepEqual(rules(['--select', 'KL005']), ['KL005']);
    assert.deepEqual(rules(['--select', 'distill-missing-t2']), ['KL005']);
    assert.deepEqual(rules(['--ignore', 'KL003']), ['KL005']);
    assert.deepEqual(rules(['--select', 'KL00', '--ignore=KL005']), ['KL003']);
    assert.equal(lint(['--select', 'KL001', 'bad.py']).status, 0);
  });
});

describe('kl-lens lint: JSON and SARIF', () => {
  it('--format json gives one array with 1-based positions, rule names and fixes', () => {
    file('bad.py', BAD);
    const r = lint(['--format', 'json', 'bad.py']);
    assert.equal(r.status, 1);
    const found = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(found.length, 2);
    const kl003 = found.find((f) => f.rule === 'KL003')!;
    assert.deepEqual(
      { path: kl003.path, line: kl003.line, column: kl003.column, endLine: kl003.endLine, endColumn: kl003.endColumn, name: kl003.name, severity: kl003.severity },
      { path: 'bad.py', line: 4, column: 12, endLine: 4, endColumn: 20, name: 'kl-div-mean-reduction', severity: 'warning' },
    );
    const fix = kl003.fix as { description: string; safety: string; edits: { line: number; column: number; endLine: number; endColumn: number; text: string }[] };
    assert.equal(fix.safety, 'safe');
    assert.deepEqual(fix.edits, [{ line: 4, column: 73, endLine: 4, endColumn: 73, text: ', reduction="batchmean"' }]);
    assert.equal(BAD.split('\n')[3]!.slice(73 - 1, 73), ')', 'column 73 is the closing parenthesis of kl_div');
  });

  it('gives notebook findings their 0-based cell and lines within the cell', () => {
    file('nb.ipynb', notebook(['import torch.nn.functional as F\n', '%matplotlib inline\nx = 1\nl = F.kl_div(F.softmax(s, -1), p, reduction="batchmean")\n']));
    const found = JSON.parse(lint(['--format', 'json', 'nb.ipynb']).stdout) as Record<string, unknown>[];
    assert.deepEqual(found.map((f) => [f.rule, f.cell, f.line, f.column]), [['KL001', 1, 3, 14]]);
    const text = lint(['nb.ipynb']).stdout;
    assert.match(text, /^nb\.ipynb:cell 2:3:14: KL001 /);
  });

  it('--format sarif is valid SARIF 2.1.0 with the rules, results, fixes and notebook lines', () => {
    file('bad.py', BAD);
    file('nb.ipynb', notebook(['import torch.nn.functional as F\n', 'x = 1\nl = F.kl_div(F.log_softmax(s, -1), p)\n']));
    file('broken.py', 'def f(:\n    pass\n');
    const r = lint(['--format', 'sarif', 'bad.py', 'nb.ipynb', 'broken.py']);
    assert.equal(r.status, 1);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a SARIF log, read field by field below
    const log: any = JSON.parse(r.stdout);
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = ajv.compile(schema);
    assert.ok(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors, null, 1));
    const run = log.runs[0];
    assert.deepEqual(run.tool.driver.rules.map((x: { id: string }) => x.id), ['KL001', 'KL002', 'KL003', 'KL004', 'KL005', 'KL006', 'KL007', 'KL008', 'KL009', 'KL010']);
    assert.ok(run.tool.driver.rules.every((x: { help: { markdown: string } }) => x.help.markdown.includes('## Why is this bad?')));
    const results = run.results as { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[]; fixes?: unknown[] }[];
    assert.deepEqual(results.map((x) => [x.ruleId, x.locations[0]!.physicalLocation.artifactLocation.uri]), [
      ['KL003', 'bad.py'],
      ['KL005', 'bad.py'],
      ['KL003', 'nb.ipynb'],
    ]);
    assert.ok(results.every((x) => run.tool.driver.rules[x.ruleIndex].id === x.ruleId));
    assert.ok(results[0]!.fixes && results[0]!.fixes.length === 1);
    // The notebook's finding is on cell 1, line 2: the line of that source string in the JSON file.
    const nbLines = readFileSync(join(work, 'nb.ipynb'), 'utf8').split('\n');
    const line = results[2]!.locations[0]!.physicalLocation.region.startLine;
    assert.match(nbLines[line - 1]!, /F\.kl_div/);
    assert.equal(run.invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation.uri, 'broken.py');
  });
});

describe('kl-lens lint: files and folders', () => {
  it('walks folders in order, skipping environments and other files', () => {
    file('tree/b/loss.py', BAD);
    file('tree/a/train.py', BAD);
    file('tree/.venv/lib/site.py', BAD);
    file('tree/node_modules/x/y.py', BAD);
    file('tree/notes.txt', BAD);
    const r = lint(['--select', 'KL005', 'tree']);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split(':')[0]), ['tree/a/train.py', 'tree/b/loss.py']);
  });

  it('names a file it cannot parse, still lints the others, and exits 1', () => {
    file('broken.py', 'import torch.nn.functional as F\ndef f(:\n    return F.kl_div(a, b)\n');
    file('bad.py', BAD);
    const r = lint(['broken.py', 'bad.py']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: broken\.py:2:7: syntax error: the code here cannot be parsed, so it was not checked$/m);
    assert.match(r.stdout, /^bad\.py:4:12: KL003/m);
  });

  it('skips binary, huge and undecodable files with a note, and decodes PEP 263 encodings', () => {
    file('bin.py', new Uint8Array([0x69, 0x6d, 0x70, 0x00, 0x01, 0x02]));
    file('huge.py', `# ${'x'.repeat(9 * 1024 * 1024)}\n`);
    file('latin.py', new Uint8Array([0xe9, 0x3d, 0x31, 0x0a]));
    file('coded.py', Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\n# caf\xe9\n', 'latin1'), Buffer.from(BAD)]));
    const r = lint(['bin.py', 'huge.py', 'latin.py', 'coded.py']);
    assert.match(r.stderr, /^note: bin\.py: skipped: binary file$/m);
    assert.match(r.stderr, /^note: huge\.py: skipped: 9\.0 MiB is larger than the 8 MiB limit$/m);
    assert.match(r.stderr, /^note: latin\.py: skipped: not valid UTF-8$/m);
    assert.match(r.stdout, /^coded\.py:6:12: KL003/m);
    assert.equal(r.status, 1);
  });

  it('refuses a FIFO and a missing path at once, exiting 2 after linting the rest', () => {
    const fifo = join(work, 'pipe.py');
    if (!existsSync(fifo)) assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    file('bad.py', BAD);
    const started = Date.now();
    const r = lint(['pipe.py', 'missing.py', 'bad.py']);
    assert.ok(Date.now() - started < 30_000, 'it did not block on the FIFO');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: pipe\.py: not a regular file or folder$/m);
    assert.match(r.stderr, /^error: missing\.py: no such file or folder$/m);
    assert.match(r.stdout, /^bad\.py:4:12: KL003/m);
  });

  it('names a notebook that is not JSON', () => {
    file('bad.ipynb', '{"cells": [');
    const r = lint(['bad.ipynb']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: bad\.ipynb: not a notebook: /m);
  });
});

describe('kl-lens lint --fix', () => {
  it('applies the safe fixes in place, re-lints, and exits 0 when nothing is left', () => {
    file('fixme.py', BAD);
    const r = lint(['--fix', 'fixme.py']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /2 fixed/);
    const fixed = readFileSync(join(work, 'fixme.py'), 'utf8');
    assert.equal(fixed.split('\n')[3], '    soft = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean") * T ** 2');
    assert.equal(lint(['fixme.py']).status, 0);
  });

  it('leaves unsafe fixes, and never touches a file it could not parse', () => {
    const unsafe = `${HEAD}kld = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())\n`;
    file('vae.py', unsafe);
    const r = lint(['--fix', 'vae.py']);
    assert.equal(r.status, 1);
    assert.equal(readFileSync(join(work, 'vae.py'), 'utf8'), unsafe);
    const broken = `${HEAD}def f(:\n    pass\nl = F.kl_div(a, b)\n`;
    file('broken2.py', broken);
    assert.equal(lint(['--fix', 'broken2.py']).status, 1);
    assert.equal(readFileSync(join(work, 'broken2.py'), 'utf8'), broken);
  });

  it('fixes notebook cells and keeps the notebook’s JSON layout', () => {
    const before = notebook(['import torch.nn.functional as F\n', 'l = F.kl_div(F.log_softmax(s, -1), p)\n']);
    file('fix.ipynb', before);
    assert.equal(lint(['--fix', 'fix.ipynb']).status, 0);
    const after = readFileSync(join(work, 'fix.ipynb'), 'utf8');
    const cell = (JSON.parse(after) as { cells: { source: string[] }[] }).cells[1]!.source.join('');
    assert.equal(cell, 'l = F.kl_div(F.log_softmax(s, -1), p, reduction="batchmean")\n');
    assert.equal(after.replace(', reduction=\\"batchmean\\"', ''), before, 'only the fixed text changed');
  });
});
