#!/usr/bin/env node
// Packages a throwaway extension ("KL Lens E2E Stub") into a temporary folder and prints the .vsix
// path. It lets the harness be tried before the real extension packages:
//   KL_LENS_VSIX=$(node test/e2e/stub-vsix.mjs) node test/e2e/run.mjs
// The stub answers the contract of extension.test.ts with canned, clearly-labelled results (same
// command titles, a "KL Lens" webview panel, an SVG hover, a .kl diagnostic, an error notification),
// so the tests' flows can be checked against it:
//   KL_LENS_E2E_EXTENSION=1 KL_LENS_VSIX=$(node test/e2e/stub-vsix.mjs) node test/e2e/run.mjs
// It implements nothing of KL Lens: never take its passing for the extension's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = join(ROOT, '.cache', 'e2e');

function vsce() {
  const local = join(ROOT, 'node_modules', '.bin', 'vsce');
  if (existsSync(local)) return local;
  const cached = join(CACHE, 'node_modules', '.bin', 'vsce');
  if (!existsSync(cached)) {
    console.error('[stub-vsix] @vscode/vsce is not in the project: installing it into .cache/e2e');
    mkdirSync(CACHE, { recursive: true });
    const r = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '@vscode/vsce@3'], { cwd: CACHE, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) throw new Error('npm install @vscode/vsce failed');
  }
  return cached;
}

const manifest = {
  name: 'kl-lens-e2e-stub',
  displayName: 'KL Lens E2E Stub',
  description: 'A throwaway stand-in that answers the e2e contract with a few lines of JavaScript.',
  version: '0.0.1',
  publisher: 'kl-lens-e2e',
  license: 'MIT',
  engines: { vscode: '^1.95.0' },
  main: './extension.js',
  // onStartupFinished: .kl documents must be seen without a language contribution.
  activationEvents: ['onLanguage:python', 'onStartupFinished'],
  contributes: {
    commands: [
      { command: 'klLensStub.evaluate', title: 'Evaluate Expression\u2026', category: 'KL Lens' },
      { command: 'klLensStub.evaluateSelection', title: 'Evaluate Selection', category: 'KL Lens' },
      { command: 'klLensStub.inspectFile', title: 'Inspect Tensor File', category: 'KL Lens' },
    ],
    menus: { 'explorer/context': [{ command: 'klLensStub.inspectFile', when: '!explorerResourceIsFolder' }] },
  },
};

const extension = String.raw`const vscode = require('vscode');
const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect width="30" height="20" fill="#4a8"/></svg>';
const arrays = (text) => [...text.matchAll(/\[([^\[\]]*)\]/g)].map((m) => m[1].split(',').map(Number));
const kl = (p, q) => p.reduce((s, pi, i) => s + (pi > 0 ? pi * Math.log(pi / q[i]) : 0), 0);
const esc = (t) => String(t).replace(/[<&>]/g, '');
let panel;
function show(body) {
  if (!panel) {
    panel = vscode.window.createWebviewPanel('klLensStub', 'KL Lens', vscode.ViewColumn.Beside, {});
    panel.onDidDispose(() => (panel = undefined));
  }
  panel.webview.html = '<!DOCTYPE html><html><body style="color:var(--vscode-foreground)">' + body + '</body></html>';
  panel.reveal();
}
function result(text) {
  const [p, q] = arrays(text);
  const value = p && q ? kl(p, q).toFixed(6) : 'n/a';
  show('<div class="kl-value">KL(P||Q) = ' + value + ' (stub)</div><div class="kl-math"><span class="katex">stub</span></div><div class="kl-chart">' + svg + '</div>');
}
exports.activate = (ctx) => {
  ctx.subscriptions.push(
    vscode.commands.registerCommand('klLensStub.evaluate', async () => {
      const text = await vscode.window.showInputBox({ prompt: 'KL program' });
      if (text) result(text);
    }),
    vscode.commands.registerCommand('klLensStub.evaluateSelection', () => {
      const editor = vscode.window.activeTextEditor;
      if (editor) result(editor.document.getText(editor.selection));
    }),
    vscode.commands.registerCommand('klLensStub.inspectFile', async (uri) => {
      const bytes = Buffer.from(await vscode.workspace.fs.readFile(uri));
      const n = Number(bytes.readBigUInt64LE(0));
      if (n > bytes.length - 8) return vscode.window.showErrorMessage('safetensors (stub): header length ' + n + ' runs past the end of the file');
      const keys = Object.keys(JSON.parse(bytes.subarray(8, 8 + n).toString())).filter((k) => k !== '__metadata__');
      show('<ul>' + keys.map((k) => '<li>' + esc(k) + '</li>').join('') + '</ul>');
    }),
    vscode.languages.registerHoverProvider('python', {
      provideHover(doc, pos) {
        const range = doc.getWordRangeAtPosition(pos, /np\.array\(\[[^\]]*\]\)/);
        if (!range) return undefined;
        const md = new vscode.MarkdownString('stub hover\n\n![chart](data:image/svg+xml;base64,' + Buffer.from(svg).toString('base64') + ')');
        return new vscode.Hover(md, range);
      },
    }),
  );
  const diagnostics = vscode.languages.createDiagnosticCollection('klLensStub');
  ctx.subscriptions.push(diagnostics);
  const check = (doc) => {
    if (!doc.fileName.endsWith('.kl')) return;
    const found = [];
    for (let i = 0; i < doc.lineCount; i++) {
      const line = doc.lineAt(i);
      if (line.text.trimEnd().endsWith('||')) found.push(new vscode.Diagnostic(line.range, 'stub: expected an expression', vscode.DiagnosticSeverity.Error));
    }
    diagnostics.set(doc.uri, found);
  };
  vscode.workspace.textDocuments.forEach(check);
  ctx.subscriptions.push(vscode.workspace.onDidOpenTextDocument(check));
};
exports.deactivate = () => undefined;
`;

const dir = mkdtempSync(join(tmpdir(), 'kl-lens-e2e-stub-'));
writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
writeFileSync(join(dir, 'extension.js'), extension);
writeFileSync(join(dir, 'README.md'), '# KL Lens E2E Stub\n\nA throwaway extension for trying the end-to-end harness.\n');
writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
const result = spawnSync(vsce(), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license'], {
  cwd: dir,
  stdio: ['ignore', 2, 2],
});
if (result.status !== 0) {
  console.error('[stub-vsix] vsce package failed');
  process.exit(1);
}
const vsix = readdirSync(dir).find((f) => f.endsWith('.vsix'));
if (!vsix) {
  console.error(`[stub-vsix] no .vsix in ${dir}`);
  process.exit(1);
}
console.log(join(dir, vsix));
