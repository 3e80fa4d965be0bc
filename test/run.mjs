// Runs every unit test with Node's test runner (TypeScript through tsx). Node 20's --test takes
// no globs, so the files are collected here. Arguments narrow the run: `npm test -- test/unit/core`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => collect(join(path, d.name)));
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['test/unit', 'test/browser'].filter((r) => existsSync(r))).flatMap(collect);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const reporter = process.env.CI ? ['--test-reporter=spec'] : [];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/wat.mjs', '--test', ...reporter, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
