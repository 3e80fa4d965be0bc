/**
 * KL notebooks and Jupyter interop in a real VS Code: a .klnb run with "Run All" (values checked
 * against SciPy, KaTeX, charts, an error output, execution order), "KL Lens: New KL Notebook", an
 * .ipynb executed by a real Jupyter kernel through python/kl_lens.py, and saving: Ctrl+S writes a
 * file the format module reads back with its outputs, which render again after close and reopen.
 * Screenshots in light and dark go to test-artifacts/e2e/klnb-*.png. Runs only against the packaged
 * extension.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { KlnbFormatError, parseNotebook, serializeNotebook, type Cell, type KlNotebook } from '../../src/extension/klnb/format';
import { ROOT, UI_TIMEOUT, closeAllEditors, openFile, pickInQuickInput, runCommand, screenshotOnFailure, startVSCode, type Session } from './harness';

const PYTHON = '/usr/bin/python3';
/** The first run starts the kernel worker; the first output loads the renderer. */
const RESULT_TIMEOUT = 60_000;

const jupyterMissing = (() => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import nbclient, ipykernel, numpy, scipy, torch'], { encoding: 'utf8' });
  return r.status === 0 ? false : `Jupyter test needs Debian's python3-nbclient, python3-ipykernel, python3-numpy, python3-scipy, python3-torch: ${r.stderr.trim().split('\n').at(-1)}`;
})();

/** The notebook the Run All test opens: state across cells, load() beside it, and a mistake. */
const NOTEBOOK = {
  format: 'klnb',
  version: 1,
  cells: [
    { kind: 'markdown', source: '# KL notebook under test' },
    { kind: 'code', source: 'p = load("p.npy")\nq = load("q32.npy")\nKL(p || q, base=2)' },
    { kind: 'code', source: 'JS(p, q)' },
    { kind: 'code', source: 'KL(p || qq)' },
  ],
};

/** The notebook the save test opens, runs, saves, reopens and edits: the same cells, its own title. */
const SAVED_NOTEBOOK = {
  ...NOTEBOOK,
  cells: [{ kind: 'markdown', source: '# Saved KL notebook' }, ...NOTEBOOK.cells.slice(1)],
};
const EDITED_SOURCE = 'p = load("p.npy")\nq = load("q32.npy")\nKL(q || p, base=2)';
const KL_LENS_MIME = 'application/vnd.kl-lens+json';

/** SciPy's values and NumPy's arrays for the save test, computed from the served copies. */
function scipySaveReference(workspace: string): { kl: number; js: number; klqp: number; p: number[]; q: number[] } {
  const script = [
    'import json, sys, numpy as np',
    'from scipy.special import rel_entr',
    'from scipy.spatial.distance import jensenshannon',
    'p0 = np.load(sys.argv[1]); q0 = np.load(sys.argv[2])',
    'p = p0.astype(np.float64); q = q0.astype(np.float64)',
    'p, q = p / p.sum(), q / q.sum()',
    'print(json.dumps({"kl": float(rel_entr(p, q).sum() / np.log(2)), "js": float(jensenshannon(p, q) ** 2),',
    '  "klqp": float(rel_entr(q, p).sum() / np.log(2)), "p": [float(x) for x in p0], "q": [float(x) for x in q0]}))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script, join(workspace, 'p.npy'), join(workspace, 'q32.npy')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { kl: number; js: number; klqp: number; p: number[]; q: number[] };
}

/** The .klnb on disk, read with the format module itself: a file it cannot parse fails the test. */
function readSaved(path: string): KlNotebook {
  try {
    return parseNotebook(readFileSync(path));
  } catch (e) {
    if (e instanceof KlnbFormatError) assert.fail(`the saved file does not parse: ${e.message}\n${readFileSync(path, 'utf8')}`);
    throw e;
  }
}

/** Waits until the file on disk satisfies `ready` (VS Code writes it a moment after the tab goes clean). */
async function waitForFile(page: Page, path: string, ready: (nb: KlNotebook) => boolean, what: string): Promise<KlNotebook> {
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    let nb: KlNotebook | undefined;
    try {
      nb = parseNotebook(readFileSync(path));
    } catch {
      // Mid-write or not yet saved: looked at again below.
    }
    if (nb && ready(nb)) return nb;
    if (Date.now() > deadline) {
      readSaved(path); // a file that does not parse fails with the format's message
      assert.fail(`the saved file does not show ${what}:\n${readFileSync(path, 'utf8').slice(0, 4000)}`);
    }
    await page.waitForTimeout(250);
  }
}

const utf8 = new TextDecoder();

/** A cell's saved output items by mime, decoded as text (the KL Lens payload and text/plain are both text). */
function savedItems(cell: Cell): Map<string, string> {
  return new Map(cell.outputs.flatMap((o) => o.items).map((i) => [i.mime, utf8.decode(i.data)]));
}

/** A payload variable as numbers: nested lists as they are, binary tensors decoded (little-endian). */
function payloadNumbers(variable: unknown): number[] {
  if (Array.isArray(variable)) return (variable as unknown[]).flat(Infinity) as number[];
  const t = variable as { dtype: string; data: string };
  const bytes = Uint8Array.from(Buffer.from(t.data, 'base64'));
  if (t.dtype === 'float64') return [...new Float64Array(bytes.buffer)];
  if (t.dtype === 'float32') return [...new Float32Array(bytes.buffer)];
  throw new Error(`unexpected dtype ${t.dtype}`);
}

/** The number a text/plain value line shows first (`KL(P‖Q) = 0.12345 bits  (reverse ...)`). */
function shownValue(text: string): number {
  const m = /= (-?[\d.]+(?:e[+-]?\d+)?)/.exec(text);
  assert.ok(m, `a value in ${JSON.stringify(text)}`);
  return Number(m[1]);
}

/** The checks on one saved result cell: its source, the payload of its last line, the value line, the run. */
function checkSavedResult(cell: Cell | undefined, source: string, expression: string, want: number, ref: { p: number[]; q: number[] }): void {
  assert.ok(cell, `a cell for ${expression}`);
  assert.equal(cell.source, source);
  assert.equal(cell.execution?.success, true, `${expression} ran successfully`);
  assert.ok(Number.isInteger(cell.execution?.order) && cell.execution!.order! >= 1, `${expression} has an execution order: ${JSON.stringify(cell.execution)}`);
  const items = savedItems(cell);
  assert.deepEqual([...items.keys()], [KL_LENS_MIME, 'text/plain'], `${expression}: the payload and its text twin`);
  const payload = JSON.parse(items.get(KL_LENS_MIME)!) as { expression: string; variables: Record<string, unknown> };
  assert.equal(payload.expression, expression, 'the payload holds the cell\'s expression');
  // The variables the kernel bound from load(): NumPy's arrays, exactly (float32 kept as float32).
  assert.deepEqual(payloadNumbers(payload.variables['p']), ref.p);
  assert.deepEqual(payloadNumbers(payload.variables['q']), ref.q);
  // The value line is rounded to the notebook's 5 significant digits.
  close(shownValue(items.get('text/plain')!), want, 1e-4);
}

/** SciPy's values for the files the notebook loads, computed from the served copies. */
function scipyReference(workspace: string): { kl: number; js: number } {
  const script = [
    'import json, sys, numpy as np',
    'from scipy.special import rel_entr',
    'from scipy.spatial.distance import jensenshannon',
    'p = np.load(sys.argv[1]).astype(np.float64); q = np.load(sys.argv[2]).astype(np.float64)',
    'p, q = p / p.sum(), q / q.sum()',
    'print(json.dumps({"kl": float(rel_entr(p, q).sum() / np.log(2)), "js": float(jensenshannon(p, q) ** 2)}))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script, join(workspace, 'p.npy'), join(workspace, 'q32.npy')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { kl: number; js: number };
}

function close(got: number, want: number, rtol = 1e-12): void {
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want), `got ${got}, expected ${want}`);
}

/** The webview frame that holds the notebook's outputs, once it shows `selector`. */
async function outputFrame(page: Page, selector: string, timeout = RESULT_TIMEOUT): Promise<Frame> {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no notebook output shows ${selector}`);
    await page.waitForTimeout(500);
  }
}

/**
 * Scrolls the notebook until `target` (inside the output webview) is on screen. The wheel goes to the
 * cell gutter, which belongs to the notebook's list: over the webview it would scroll nothing.
 */
async function scrollNotebookTo(page: Page, target: Locator): Promise<void> {
  const gutter = await page.locator('.notebook-editor .cell-focus-indicator-left, .execution-count-label').first().boundingBox();
  await page.mouse.move((gutter?.x ?? 360) + 4, 500);
  for (let i = 0; i < 40; i++) {
    const box = await target.boundingBox();
    if (box && box.y > 120 && box.y < 500) return;
    const far = !box || Math.abs(box.y - 300) > 1500;
    await page.mouse.wheel(0, (box && box.y < 120 ? -1 : 1) * (far ? 1200 : 300));
    await page.waitForTimeout(300);
  }
}

/** The saved error output of a cell whose name was never defined: VS Code's error item, a failed run. */
function checkSavedError(cell: Cell | undefined): void {
  assert.ok(cell, 'the failing cell');
  assert.equal(cell.execution?.success, false, 'the failed run is kept as failed');
  const items = cell.outputs.flatMap((o) => o.items);
  assert.deepEqual(
    items.map((i) => i.mime),
    ['application/vnd.code.notebook.error'],
  );
  const error = JSON.parse(utf8.decode(items[0]!.data)) as { name: string; message: string; stack?: string };
  assert.match(`${error.message}\n${error.stack ?? ''}`, /undefined name 'qq'/);
}

/** Scrolls the notebook down until some output frame shows `pattern`. */
async function scrollUntilText(page: Page, pattern: RegExp): Promise<Frame> {
  const gutter = await page.locator('.notebook-editor .cell-focus-indicator-left, .execution-count-label').first().boundingBox();
  await page.mouse.move((gutter?.x ?? 360) + 4, 500);
  for (let i = 0; i < 30; i++) {
    for (const frame of page.frames()) {
      if ((await frame.getByText(pattern).count().catch(() => 0)) > 0) return frame;
    }
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(300);
  }
  return frameWithText(page, pattern, 1_000);
}

/** Scrolls the notebook down until `target`, in the workbench's own DOM (a cell's editor), is drawn. */
async function scrollUntilDrawn(page: Page, target: Locator): Promise<void> {
  const gutter = await page.locator('.notebook-editor .cell-focus-indicator-left, .execution-count-label').first().boundingBox();
  await page.mouse.move((gutter?.x ?? 360) + 4, 500);
  for (let i = 0; i < 30 && (await target.count()) === 0; i++) {
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(300);
  }
  await target.first().scrollIntoViewIfNeeded();
}

/**
 * A frame that shows text matching `pattern`. Markdown cells and outputs render in the notebook's
 * webview, inside shadow roots: getByText pierces them, innerText does not.
 */
async function frameWithText(page: Page, pattern: RegExp, timeout = RESULT_TIMEOUT): Promise<Frame> {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if ((await frame.getByText(pattern).count().catch(() => 0)) > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no frame shows ${String(pattern)}`);
    await page.waitForTimeout(500);
  }
}

/**
 * "Notebook: Run All" from the palette. The command is offered once the notebook editor has set its
 * context keys, a moment after it is drawn: retried until the palette lists it.
 */
async function runAll(page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'Notebook: Run All');
      return;
    } catch (error) {
      if (attempt === 5) throw error;
      await page.waitForTimeout(2_000);
    }
  }
}

/**
 * The value the rendered KL Lens output for `expression` computed (data-value, full precision).
 * Outputs are found by the expression they show: the webview keeps them in the order they were drawn.
 */
async function renderedValue(frame: Frame, expression: string): Promise<number> {
  const output = frame.locator('.kl-output[data-value]').filter({ has: frame.locator('.kl-source', { hasText: expression }) });
  await output.first().waitFor({ state: 'attached', timeout: RESULT_TIMEOUT });
  return Number(await output.first().getAttribute('data-value'));
}

async function checkTypesetAndCharts(frame: Frame): Promise<void> {
  await frame.locator('.kl-output .katex').first().waitFor();
  assert.ok((await frame.locator('.kl-output .katex').count()) > 0, 'KaTeX typeset the derivation');
  assert.equal(await frame.locator('.kl-output .katex-error').count(), 0, 'no KaTeX errors');
  assert.ok((await frame.locator('.kl-output .kl-chart svg').count()) > 0, 'an SVG chart');
  // Without KaTeX's stylesheet the MathML twin shows as text next to the typeset formula.
  const mathmlVisible = await frame.locator('.kl-output .katex-mathml').first().evaluate((e) => e.getBoundingClientRect().width > 1);
  assert.equal(mathmlVisible, false, 'the MathML copy stays hidden');
}

/** `test-artifacts/e2e/klnb-<name>-light.png` and `-dark.png`. */
async function shootBothThemes(vs: Session, name: string): Promise<void> {
  await vs.screenshot(`klnb-${name}-light`);
  await vs.setTheme('dark');
  await vs.page.waitForTimeout(500);
  await vs.screenshot(`klnb-${name}-dark`);
  await vs.setTheme('light');
}

describe('KL notebooks and Jupyter outputs', { skip: !process.env['KL_LENS_E2E_EXTENSION'] && 'extension not packaged', timeout: 600_000 }, () => {
  let vs: Session;

  before(async () => {
    vs = await startVSCode({ name: 'klnb', theme: 'light' });
  });

  after(async () => {
    await vs?.close();
  });

  beforeEach(async () => {
    if (vs) await closeAllEditors(vs.page).catch(() => undefined);
  });

  const shoot = (name: string) => shootBothThemes(vs, name);

  function test(name: string, slug: string, body: () => Promise<void>, options: { skip?: string | false } = {}) {
    it(name, { skip: options.skip ?? false }, screenshotOnFailure(() => vs, `klnb-${slug}`, body));
  }

  test('Run All in a .klnb: values match SciPy, KaTeX and charts render, the mistake is an error output, cells are numbered', 'run-all', async () => {
    const { page } = vs;
    writeFileSync(join(vs.workspace, 'e2e.klnb'), JSON.stringify(NOTEBOOK, null, 2));
    await openFile(page, 'e2e.klnb');
    await frameWithText(page, /KL notebook under test/);
    await runAll(page);

    const frame = await outputFrame(page, '.kl-output[data-value]');
    const ref = scipyReference(vs.workspace);
    close(await renderedValue(frame, 'KL(p || q, base=2)'), ref.kl);
    close(await renderedValue(frame, 'JS(p, q)'), ref.js);
    await checkTypesetAndCharts(frame);

    const orders = await page.locator('.execution-count-label').filter({ visible: true }).allInnerTexts();
    assert.ok(orders.includes('[1]'), `execution order shown: ${JSON.stringify(orders)}`);
    await shoot('run-all');

    // The third cell names a variable no cell defined: an error output that says where and what.
    // Outputs are drawn as their cells scroll into view; the toolbar's "Go To" brings the failed one.
    await runCommand(page, 'Notebook: Go to Most Recently Failed Cell');
    const errorFrame = await frameWithText(page, /undefined name 'qq'/);
    assert.ok((await errorFrame.getByText(/evaluation error at 1:9: undefined name 'qq'/).count()) > 0, 'the error says where');
    assert.ok((await errorFrame.getByText(/1 \| KL\(p \|\| qq\)/).count()) > 0, 'the error shows the offending line');
    await page.locator('.execution-count-label', { hasText: '[3]' }).filter({ visible: true }).first().waitFor();
    await shoot('error-output');
  });

  test('KL Lens: New KL Notebook opens the starter, and Run All runs its cells', 'new-notebook', async () => {
    const { page } = vs;
    await runCommand(page, 'KL Lens: New KL Notebook');
    try {
      await newNotebookRuns(page);
    } finally {
      // Untitled and changed: closed without the save prompt, which would block the next test.
      await runCommand(page, 'View: Revert and Close Editor').catch(() => undefined);
    }
  });

  async function newNotebookRuns(page: Page): Promise<void> {
    await page.locator('.tabs-container .tab.active', { hasText: /Untitled.*\.klnb/ }).waitFor({ timeout: RESULT_TIMEOUT });
    await frameWithText(page, /KL divergence, computed/);
    await runAll(page);
    const frame = await outputFrame(page, '.kl-output[data-value]');
    // KL([0.5, 0.3, 0.2] || [0.4, 0.4, 0.2], base=2) from the definition, computed here.
    const want = (0.5 * Math.log(0.5 / 0.4) + 0.3 * Math.log(0.3 / 0.4)) / Math.LN2;
    close(await renderedValue(frame, 'KL(p || q, base=2)'), want, 1e-14);
    await checkTypesetAndCharts(frame);
    await page.locator('.execution-count-label', { hasText: '[1]' }).first().waitFor();
    await shoot('new-notebook');
  }

  test('KL Lens: Copy Python Helper writes kl_lens.py next to the active notebook', 'copy-helper', async () => {
    const { page } = vs;
    await openFile(page, 'e2e.klnb');
    await frameWithText(page, /KL notebook under test/);
    await runCommand(page, 'KL Lens: Copy Python Helper', { expectQuickInput: true });
    await pickInQuickInput(page, 'Write kl_lens.py next to the notebook');
    const target = join(vs.workspace, 'kl_lens.py');
    const deadline = Date.now() + UI_TIMEOUT;
    while (!existsSync(target) && Date.now() < deadline) await page.waitForTimeout(250);
    assert.equal(readFileSync(target, 'utf8'), readFileSync(join(ROOT, 'python', 'kl_lens.py'), 'utf8'));
  });

  test(
    'an .ipynb executed by a real Jupyter kernel with kl_lens.show renders, and agrees with SciPy and PyTorch',
    'jupyter',
    async () => {
      const { page } = vs;
      const run = spawnSync(PYTHON, [join(ROOT, 'test', 'e2e', 'jupyter', 'execute.py'), vs.workspace], { encoding: 'utf8', timeout: 240_000 });
      assert.equal(run.status, 0, `nbclient run failed:\n${run.stdout}\n${run.stderr}`);
      await openFile(page, 'jupyter-kl.ipynb');
      const frame = await outputFrame(page, '.kl-output[data-value]');
      const printed = async (pattern: RegExp): Promise<number> => {
        const line = (await frameWithText(page, pattern)).getByText(pattern).first();
        return Number(pattern.exec(await line.innerText())?.[1]);
      };
      const scipy = await printed(/scipy KL\(p \|\| q\) = ([\d.e+-]+) bits/);
      close(await renderedValue(frame, 'KL(p || q)'), scipy);
      await checkTypesetAndCharts(frame);
      await shoot('jupyter');

      // The distillation output, further down, against F.kl_div; then scrolled into view for the screenshot.
      const torch = await printed(/torch distill = ([\d.e+-]+) nats/);
      close(await renderedValue(frame, 'distill(student, teacher, T=4)'), torch);
      await scrollNotebookTo(page, frame.locator('.kl-source', { hasText: 'distill(student' }).first());
      await shoot('jupyter-distill');
    },
    { skip: jupyterMissing },
  );
});

// Its own VS Code: the web workbench saves after a delay by default, which would write the file
// before Ctrl+S and hide whether saving works. Auto save off is also what desktop VS Code ships with.
describe('Saving KL notebooks', { skip: !process.env['KL_LENS_E2E_EXTENSION'] && 'extension not packaged', timeout: 600_000 }, () => {
  let vs: Session;

  before(async () => {
    vs = await startVSCode({ name: 'klnb-save', theme: 'light', settings: { 'files.autoSave': 'off' } });
  });

  after(async () => {
    await vs?.close();
  });

  it('Ctrl+S writes the outputs; reopened, they render without running; an edited cell saves its new source and output', screenshotOnFailure(() => vs, 'klnb-save', async () => {
    const { page } = vs;
    const path = join(vs.workspace, 'saved.klnb');
    writeFileSync(path, JSON.stringify(SAVED_NOTEBOOK, null, 2));
    const ref = scipySaveReference(vs.workspace);
    const dirtyTab = page.locator('.tabs-container .tab.active.dirty');
    try {
      await openFile(page, 'saved.klnb');
      await frameWithText(page, /Saved KL notebook/);
      await runAll(page);
      const frame = await outputFrame(page, '.kl-output[data-value]');
      close(await renderedValue(frame, 'KL(p || q, base=2)'), ref.kl);
      close(await renderedValue(frame, 'JS(p, q)'), ref.js);
      await dirtyTab.waitFor({ state: 'visible' });
      assert.equal(readSaved(path).cells.some((c) => c.outputs.length > 0), false, 'the outputs reach the disk only on save');

      await page.keyboard.press('Control+S');
      await dirtyTab.waitFor({ state: 'detached' });
      const saved = await waitForFile(page, path, (nb) => nb.cells.filter((c) => c.outputs.length > 0).length === 3, 'outputs');
      assert.deepEqual(
        saved.cells.map((c) => [c.kind, c.source]),
        SAVED_NOTEBOOK.cells.map((c) => [c.kind, c.source]),
        'cells kept in order',
      );
      checkSavedResult(saved.cells[1], SAVED_NOTEBOOK.cells[1]!.source, 'KL(p || q, base=2)', ref.kl, ref);
      checkSavedResult(saved.cells[2], 'JS(p, q)', 'JS(p, q)', ref.js, ref);
      checkSavedError(saved.cells[3]);
      const orders = [1, 2, 3].map((i) => saved.cells[i]!.execution?.order ?? NaN);
      assert.deepEqual(orders, [...orders].sort((a, b) => a - b), `Run All's order kept: ${JSON.stringify(orders)}`);
      assert.equal(new Set(orders).size, 3, `one order per run: ${JSON.stringify(orders)}`);
      // What VS Code wrote is what the format writes for it: re-saving an unchanged notebook changes no byte.
      const onDisk = readFileSync(path, 'utf8');
      assert.equal(utf8.decode(serializeNotebook(saved)), onDisk);

      // Closed and reopened: the stored payloads render again with no kernel run (the notebook stays clean).
      await closeAllEditors(page);
      await openFile(page, 'saved.klnb');
      const reopened = await outputFrame(page, '.kl-output[data-value]');
      close(await renderedValue(reopened, 'KL(p || q, base=2)'), ref.kl);
      close(await renderedValue(reopened, 'JS(p, q)'), ref.js);
      await checkTypesetAndCharts(reopened);
      const labels = await page.locator('.execution-count-label').filter({ visible: true }).allInnerTexts();
      assert.ok(labels.includes(`[${orders[0]}]`), `the stored execution order is shown: ${JSON.stringify(labels)}`);
      assert.equal(await dirtyTab.count(), 0, 'reopening runs nothing, so the notebook is not modified');
      await shootBothThemes(vs, 'save-reopened');

      // Edit the JS cell into a reverse KL, run only it, save: the file holds the new source and output.
      const jsEditor = page.locator('.notebook-editor .cell-editor-container .view-lines').filter({ hasText: /JS\(p,\s*q\)/ });
      // Cells below a long output are not drawn until scrolled to (the notebook's list is virtual).
      await scrollUntilDrawn(page, jsEditor);
      await jsEditor.first().click();
      await page.keyboard.press('Control+A');
      // The kernel started afresh with the reopened notebook, so the edited cell loads what it uses.
      await page.keyboard.type(EDITED_SOURCE);
      // The cell's own run button: in the browser, Ctrl+Enter reaches the text editor and inserts a line.
      await page.locator('.monaco-list-row.focused .run-button-container .action-label').first().click();
      const edited = await outputFrame(page, '.kl-output[data-value] .kl-source:text("KL(q || p, base=2)")');
      close(await renderedValue(edited, 'KL(q || p, base=2)'), ref.klqp);
      await dirtyTab.waitFor({ state: 'visible' });
      await page.keyboard.press('Control+S');
      await dirtyTab.waitFor({ state: 'detached' });
      const resaved = await waitForFile(page, path, (nb) => nb.cells[2]?.source === EDITED_SOURCE && nb.cells[2].outputs.length > 0, 'the edit');
      checkSavedResult(resaved.cells[2], EDITED_SOURCE, 'KL(q || p, base=2)', ref.klqp, ref);
      // The cells not run again keep their stored outputs and order.
      checkSavedResult(resaved.cells[1], SAVED_NOTEBOOK.cells[1]!.source, 'KL(p || q, base=2)', ref.kl, ref);
      assert.equal(resaved.cells[1]!.execution!.order, orders[0]);
      checkSavedError(resaved.cells[3]);
      assert.equal(resaved.cells[3]!.execution!.order, orders[2]);
      await scrollNotebookTo(page, edited.locator('.kl-source', { hasText: 'KL(q || p' }).first());
      await shootBothThemes(vs, 'save-edited');

      // The stored error output, below, renders from the file too: it says what and where.
      const errorFrame = await scrollUntilText(page, /undefined name 'qq'/);
      assert.ok((await errorFrame.getByText(/evaluation error at 1:9: undefined name 'qq'/).count()) > 0, 'the stored error says where');
    } finally {
      // A failed step can leave the notebook modified: closed without the save prompt, which would block the next test.
      if ((await dirtyTab.count().catch(() => 0)) > 0) await runCommand(page, 'View: Revert and Close Editor').catch(() => undefined);
    }
  }));
});
