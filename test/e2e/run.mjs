#!/usr/bin/env node
// End-to-end tests in a real VS Code (`npm run test:e2e`):
//   1. scripts/e2e-setup.mjs installs code-server and playwright-core into .cache/e2e (once);
//   2. the extension is packaged (`npm run package` -> kl-lens-<version>.vsix), unless $KL_LENS_VSIX
//      already names a .vsix to install instead;
//   3. test/e2e/*.test.ts run one file at a time (each starts its own VS Code) with the spec reporter.
// Arguments narrow the run: `node test/e2e/run.mjs test/e2e/smoke.test.ts`.
// The KL Lens contract tests (extension.test.ts) run when the real extension was packaged here, or
// when KL_LENS_E2E_EXTENSION=1 says the given $KL_LENS_VSIX is the real one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function step(title, command, args, env = process.env) {
  console.log(`\n== ${title}: ${[command, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.error) {
    console.error(`== ${title}: could not start ${command}: ${result.error.message}`);
    process.exit(1);
  }
  console.log(`== ${title}: status ${result.status ?? result.signal} after ${seconds} s`);
  return result.status ?? 1;
}

if (step('setup', process.execPath, [join(ROOT, 'scripts', 'e2e-setup.mjs')]) !== 0) process.exit(1);

const env = { ...process.env };
if (env.KL_LENS_VSIX) {
  env.KL_LENS_VSIX = resolve(env.KL_LENS_VSIX);
  if (!existsSync(env.KL_LENS_VSIX)) {
    console.error(`== KL_LENS_VSIX names no file: ${env.KL_LENS_VSIX}`);
    process.exit(1);
  }
  console.log(`\n== using KL_LENS_VSIX=${env.KL_LENS_VSIX} (not packaging)`);
} else {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  if (!pkg.scripts?.package) {
    console.error('== package.json has no "package" script: set KL_LENS_VSIX to a .vsix (e.g. $(node test/e2e/stub-vsix.mjs))');
    process.exit(1);
  }
  const started = Date.now();
  if (step('package', 'npm', ['run', 'package']) !== 0) process.exit(1);
  const expected = join(ROOT, `${pkg.name}-${pkg.version}.vsix`);
  const fresh = readdirSync(ROOT)
    .filter((f) => /^kl-lens-.*\.vsix$/.test(f))
    .map((f) => join(ROOT, f))
    .filter((f) => statSync(f).mtimeMs >= started - 1000);
  const vsix = fresh.includes(expected) ? expected : fresh[0];
  if (!vsix) {
    console.error(`== npm run package wrote no kl-lens-*.vsix at ${ROOT}`);
    process.exit(1);
  }
  env.KL_LENS_VSIX = vsix;
  env.KL_LENS_E2E_EXTENSION ??= '1';
  console.log(`== packaged ${vsix}`);
}

const args = process.argv.slice(2);
const files =
  args.length > 0
    ? args
    : readdirSync(join(ROOT, 'test', 'e2e'))
        .filter((f) => f.endsWith('.test.ts'))
        // The smoke test first: when it fails, the harness is broken and nothing else means much.
        .sort((a, b) => Number(b === 'smoke.test.ts') - Number(a === 'smoke.test.ts') || a.localeCompare(b))
        .map((f) => join('test', 'e2e', f));
// One file at a time: each starts a VS Code, and two at once on two cores only make both slow.
const status = step('tests', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], env);
process.exit(status);
