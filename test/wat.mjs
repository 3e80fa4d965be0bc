// Loaded by test/run.mjs before the tests: compiles the core's .wat kernels (as the build does)
// and lets `import bytes from './x.wat'` load them under tsx, which runs the tests as CommonJS.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat } from '../scripts/wat.mjs';

const dir = fileURLToPath(new URL('../src/core/kernels', import.meta.url));
const compiled = new Map();
for (const f of readdirSync(dir).filter((f) => f.endsWith('.wat'))) compiled.set(join(dir, f), await compileWat(join(dir, f)));

const require = createRequire(import.meta.url);
require.extensions['.wat'] = (module, filename) => {
  const bytes = compiled.get(filename);
  if (!bytes) throw new Error(`${filename}: not a compiled kernel (only src/core/kernels/*.wat are)`);
  module.exports = bytes;
};
