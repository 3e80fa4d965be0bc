// One build script for every bundle. Today: the CLI (node). The extension host (cjs, external
// vscode) and the browser bundles (renderer, panel) are added beside it.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {esbuild.BuildOptions[]} */
const bundles = [
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    define: { KL_LENS_VERSION: JSON.stringify(pkg.version) },
  },
];

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
if (watch) {
  await Promise.all(bundles.map(async (b) => (await esbuild.context({ ...common, ...b })).watch()));
} else {
  await Promise.all(bundles.map((b) => esbuild.build({ ...common, ...b })));
}
