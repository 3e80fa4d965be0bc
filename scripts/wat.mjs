// WebAssembly text → binary with wabt, for the esbuild plugin (esbuild.mjs) and the test runner's
// loader (test/wat.mjs). The kernels' source is the .wat file; the binary is never committed.
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';

let wabt;

/** The binary of a .wat file; SIMD is enabled (the kernels use v128). */
export async function compileWat(path) {
  wabt ??= await wabtInit();
  const module = wabt.parseWat(path, readFileSync(path, 'utf8'), { simd: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** esbuild plugin: `import bytes from './x.wat'` gives the compiled module as a Uint8Array. */
export const watPlugin = {
  name: 'wat',
  setup(build) {
    build.onLoad({ filter: /\.wat$/ }, async (args) => ({ contents: await compileWat(args.path), loader: 'binary' }));
  },
};
