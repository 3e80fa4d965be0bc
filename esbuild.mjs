// One build script for every bundle: the CLI and the extension host and its evaluation worker
// (node, cjs; vscode external), the kernel worker and the KL notebook kernel, and the results panel
// script and notebook renderer (browser, esm). WebAssembly kernels are compiled from their .wat
// source here (scripts/wat.mjs); the Python parser's .wasm files are copied beside the bundles.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { watPlugin } from './scripts/wat.mjs';

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
    // jsonc-parser's "main" is a UMD build whose internal requires a bundler cannot follow; its ESM build bundles.
    mainFields: ['module', 'main'],
  },
  {
    // `kl-lens eval --html`: KaTeX and the report, required by cli.js only when a report is asked for.
    entryPoints: ['src/cli/report.ts'],
    outfile: 'dist/cliReport.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // jsonc-parser's "main" is a UMD build whose internal requires a bundler cannot follow; its ESM build bundles.
    mainFields: ['module', 'main'],
  },
  {
    entryPoints: ['src/extension/evaluation/worker.ts'],
    outfile: 'dist/worker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    entryPoints: ['src/extension/klnb/kernelWorker.ts'],
    outfile: 'dist/klnbKernel.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    // The threads that run pieces of a fast KL pass, for the CLI and the evaluation worker alike.
    entryPoints: ['src/host/kernelWorker.ts'],
    outfile: 'dist/kernelWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    entryPoints: ['renderer/panel/main.ts'],
    outfile: 'dist/panel.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  },
  {
    // Notebook outputs: VS Code imports it as an ES module; KaTeX's css comes in as text (see renderer/notebook/index.ts).
    entryPoints: ['renderer/notebook/index.ts'],
    outfile: 'dist/notebookRenderer.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
];

/** KaTeX's stylesheet and woff2 fonts beside the bundles (reports inline them; webviews load them). */
function copyKatex() {
  const from = 'node_modules/katex/dist';
  mkdirSync('dist/katex/fonts', { recursive: true });
  cpSync(`${from}/katex.min.css`, 'dist/katex/katex.min.css');
  for (const f of readdirSync(`${from}/fonts`).filter((f) => f.endsWith('.woff2'))) cpSync(`${from}/fonts/${f}`, `dist/katex/fonts/${f}`);
}

/** The Python parser of KL Lint: web-tree-sitter's runtime and VS Code's build of the Python grammar. */
function copyParser() {
  cpSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm');
  cpSync('node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm');
}

// web-tree-sitter's ESM build locates itself with import.meta.url, which a CommonJS bundle lacks;
// its CommonJS build is the one for node bundles.
const treeSitterCjs = { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' };

const common = { plugins: [watPlugin], bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
function options(b) {
  return { ...common, ...(b.platform === 'node' ? { alias: treeSitterCjs } : {}), ...b };
}

if (watch) {
  await Promise.all(bundles.map(async (b) => (await esbuild.context(options(b))).watch()));
} else {
  await Promise.all(bundles.map((b) => esbuild.build(options(b))));
}
copyKatex();
copyParser();
