/**
 * The results panel in a real VS Code: its buttons (unit switch, copy value, copy LaTeX, save HTML
 * report, save SVG) checked through the clipboard and the files written to disk, re-evaluation when
 * a loaded .npy changes, restoration after a reload, and the `.kl` CodeLens. Expected values come
 * from SciPy (Debian's /usr/bin/python3) at test time. Screenshots: test-artifacts/e2e/panel-*.png.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { type Page } from 'playwright-core';
import { RESULT_TIMEOUT, UI_TIMEOUT, activeEditor, evaluateExpression, openFile, panelFrame, panelTab, runCommand } from './harness';
import { sessionPerSuite } from './suite';

const P = [0.5, 0.3, 0.2];
const Q = [0.4, 0.4, 0.2];
const EXPRESSION = `KL([${P.join(', ')}] || [${Q.join(', ')}])`;

/** Runs Python with NumPy/SciPy (Debian's interpreter; the one first on PATH has neither). */
function python(code: string): string {
  const result = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return result.stdout.trim();
}

function scipyKL(p: readonly number[], q: readonly number[]): number {
  return Number(python(`import scipy.stats; print(repr(float(scipy.stats.entropy(${JSON.stringify(p)}, ${JSON.stringify(q)}))))`));
}

/** Writes `values` as a float64 .npy with NumPy (not our writer, which does not exist). */
function saveNpy(path: string, values: readonly number[]): void {
  python(`import numpy as np; np.save(${JSON.stringify(path)}, np.array(${JSON.stringify(values)}, dtype=np.float64))`);
}

/** |got − expected| within what `digits` significant digits can show. */
function shownAs(got: number, expected: number, digits = 5): boolean {
  return Math.abs(got - expected) <= 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(expected))) - digits + 1) * 1.0001;
}

describe('KL Lens results panel', { skip: !process.env['KL_LENS_E2E_EXTENSION'] && 'extension not packaged', timeout: 900_000 }, () => {
  const suite = sessionPerSuite({
    name: 'panel',
    prefix: 'panel',
    // VS Code's clipboard service in the browser uses navigator.clipboard; reading it back needs the permission too.
    setup: (vs) => vs.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${vs.port}` }),
  });
  const { test, shoot } = suite;

  /** The headline number of the panel once `accept` holds for it. */
  async function panelNumber(page: Page, accept: (x: number) => boolean, what: string): Promise<number> {
    const number = panelFrame(page).locator('.kl-value .kl-number').first();
    const deadline = Date.now() + RESULT_TIMEOUT;
    let last = '';
    for (;;) {
      last = (await number.innerText({ timeout: 2_000 }).catch(() => '')).trim();
      // The panel shows "Evaluating…" above the old value while it works: only a settled value counts.
      const busy = await panelFrame(page).locator('.kl-status').count().catch(() => 1);
      if (last !== '' && busy === 0 && accept(Number(last))) return Number(last);
      if (Date.now() > deadline) assert.fail(`the panel never showed ${what}; last value shown: "${last}"`);
      await page.waitForTimeout(250);
    }
  }

  async function clipboard(page: Page): Promise<string> {
    return page.evaluate(() => navigator.clipboard.readText());
  }

  /** Clicks a panel button and waits for the clipboard to hold something other than `before`. */
  async function copyWith(page: Page, selector: string, before: string): Promise<string> {
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await panelFrame(page).locator(selector).click();
    const deadline = Date.now() + UI_TIMEOUT;
    for (;;) {
      const text = await clipboard(page);
      if (text !== '' && text !== before) return text;
      if (Date.now() > deadline) assert.fail(`${selector} put nothing on the clipboard`);
      await page.waitForTimeout(200);
    }
  }

  /**
   * Answers VS Code's save dialog (files.simpleDialog.enable: a quick input holding the suggested
   * path) with the suggestion, after checking it names `name` in the workspace.
   */
  async function acceptSaveDialog(page: Page, name: string): Promise<string> {
    const input = page.locator('.quick-input-widget .quick-input-box input').filter({ visible: true });
    await input.waitFor({ timeout: UI_TIMEOUT });
    // The dialog fills in the folder first and the suggested name a moment later.
    const deadline = Date.now() + UI_TIMEOUT;
    let suggested = await input.inputValue();
    while (!suggested.endsWith(`/${name}`)) {
      if (Date.now() > deadline) assert.fail(`the dialog never suggested ${name}: it holds ${suggested}`);
      await page.waitForTimeout(200);
      suggested = await input.inputValue();
    }
    await page.waitForTimeout(300);
    assert.equal(await input.inputValue(), suggested, 'the suggestion settled');
    await input.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    return suggested;
  }

  async function waitForFile(path: string): Promise<string> {
    const deadline = Date.now() + UI_TIMEOUT;
    while (!existsSync(path)) {
      if (Date.now() > deadline) assert.fail(`${path} was not written`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The write may land in pieces: wait until two reads agree.
    let text = readFileSync(path, 'utf8');
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      const again = readFileSync(path, 'utf8');
      if (again === text && text.length > 0) return text;
      text = again;
    }
  }

  test('unit switch, copy value, copy LaTeX, save HTML report and save SVG', 'buttons', async () => {
    const { page } = suite.vs;
    const nats = scipyKL(P, Q);
    const bits = nats / Math.log(2);
    await evaluateExpression(page, EXPRESSION);
    await panelNumber(page, (x) => shownAs(x, nats), `SciPy's ${nats} nats`);

    const natsCopied = await copyWith(page, 'button[data-action="copyValue"]', '');
    assert.ok(Math.abs(Number(natsCopied) - nats) <= 1e-15, `copied ${natsCopied}, SciPy ${nats}`);

    await panelFrame(page).locator('button[data-unit="bits"]').click();
    await panelNumber(page, (x) => shownAs(x, bits), `${bits} bits (SciPy's nats / ln 2)`);
    assert.equal(await panelFrame(page).locator('button[data-unit="bits"]').getAttribute('aria-pressed'), 'true');
    assert.match(await panelFrame(page).locator('.kl-value').first().innerText(), /bits/);
    const bitsCopied = await copyWith(page, 'button[data-action="copyValue"]', natsCopied);
    assert.ok(Math.abs(Number(bitsCopied) - bits) <= 1e-15, `copied ${bitsCopied}, SciPy / ln 2 = ${bits}`);

    const latex = await copyWith(page, 'button[data-action="copyLatex"]', bitsCopied);
    assert.match(latex, /^% Definition\n\\\[ D_\{\\mathrm\{KL\}\}\(P\\\|Q\) = /);
    // In bits the derivation ends with a conversion step: its right-hand side is the value in bits.
    const total = latex.match(/^\\\[ D_\{\\mathrm\{KL\}\}\(P\\\|Q\) = [^\n]*= ([\d.]+)\\ \\text\{bits\} \\\]$/m);
    assert.ok(total, `the total in bits is in the LaTeX:\n${latex}`);
    assert.ok(shownAs(Number(total[1]), bits), `LaTeX total ${total[1]} vs ${bits}`);
    assert.match(latex, /% Reverse direction/);

    await shoot('buttons-bits');

    await panelFrame(page).locator('button[data-action="saveHtml"]').click();
    const htmlPath = await acceptSaveDialog(page, 'kl-lens-report.html');
    assert.equal(htmlPath, join(suite.vs.workspace, 'kl-lens-report.html'));
    const html = await waitForFile(htmlPath);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /class="kl-number">0\.036\d*<\/span> <span class="kl-unit">bits<\/span>/);
    assert.match(html, /\.katex\{/, 'KaTeX CSS inlined');
    assert.match(html, /url\(data:font\/woff2;base64,/, 'KaTeX fonts inlined');
    assert.doesNotMatch(html, /<script|<link|url\((?!data:)/, 'nothing loaded from elsewhere');
    assert.match(html, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    await panelFrame(page).locator('.kl-chart[data-chart="contributions"] .kl-svg-button').click();
    const svgPath = await acceptSaveDialog(page, 'kl-lens-contributions.svg');
    const svg = await waitForFile(svgPath);
    assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<title[^>]*>Contributions to KL\(P‖Q\) per element<\/title>/);
    assert.doesNotMatch(svg, /var\(--/, 'no editor variables left in a standalone file');

    // The saved files render on their own: open them in a fresh browser page, away from VS Code.
    const viewer = await suite.vs.browser.newPage();
    try {
      await viewer.goto(`file://${htmlPath}`);
      assert.equal(await viewer.locator('.katex-error').count(), 0);
      assert.ok((await viewer.locator('.katex .katex-html').count()) > 0);
      // KaTeX's fonts load from the inlined data: URIs.
      await viewer.waitForFunction(() => document.fonts.status === 'loaded');
      assert.ok(await viewer.evaluate(() => Array.from(document.fonts as unknown as Iterable<FontFace>).some((f) => f.family.includes('KaTeX') && f.status === 'loaded')), 'a KaTeX font loaded');
      await viewer.setViewportSize({ width: 900, height: 1000 });
      await viewer.screenshot({ path: join(suite.vs.logFile, '..', 'panel-saved-report.png'), fullPage: true });
      await viewer.goto(`file://${svgPath}`);
      const box = await viewer.locator('svg').boundingBox();
      assert.ok(box && box.width > 100 && box.height > 50, `the SVG renders: ${JSON.stringify(box)}`);
      await viewer.screenshot({ path: join(suite.vs.logFile, '..', 'panel-saved-svg.png') });
    } finally {
      await viewer.close();
    }
    rmSync(htmlPath);
    rmSync(svgPath);
  });

  test('a loaded .npy changes on disk: the panel re-evaluates and shows the new value', 'file-change', async () => {
    const { page } = suite.vs;
    const file = join(suite.vs.workspace, 'watched.npy');
    const uniform = [0.25, 0.25, 0.25, 0.25];
    const first = [0.1, 0.2, 0.3, 0.4];
    const second = [0.7, 0.1, 0.1, 0.1];
    saveNpy(file, first);
    const before = scipyKL(first, uniform);
    const afterChange = scipyKL(second, uniform);
    assert.ok(!shownAs(afterChange, before), 'the two files give different values');

    await evaluateExpression(page, `KL(load("watched.npy") || [${uniform.join(', ')}])`);
    await panelNumber(page, (x) => shownAs(x, before), `SciPy's ${before} for the first file`);
    assert.match(await panelFrame(page).locator('.kl-files').innerText(), /Read from watched\.npy/);

    saveNpy(file, second);
    await panelNumber(page, (x) => shownAs(x, afterChange), `SciPy's ${afterChange} for the rewritten file`);
    await shoot('file-change');

    // The file's name in the panel selects the (binary) file in the explorer.
    await panelFrame(page).locator('.kl-files .kl-file', { hasText: 'watched.npy' }).click();
    await page.locator('.explorer-folders-view .monaco-list-row.selected', { hasText: 'watched.npy' }).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await page.locator('.tabs-container .tab', { hasText: /^\s*watched\.npy/ }).count(), 0, 'no binary placeholder editor');
    await suite.vs.screenshot('panel-file-opened');
  });

  test('the panel comes back with its content after a reload', 'restore', async () => {
    const { page } = suite.vs;
    const nats = scipyKL(P, Q);
    await evaluateExpression(page, EXPRESSION);
    await panelNumber(page, (x) => shownAs(x, nats), `SciPy's ${nats}`);
    // As a person would (and so the workbench saves its editors first): Developer: Reload Window.
    // Until the new page loads, the old workbench and its panel are still there to be found.
    const reloaded = page.waitForEvent('load', { timeout: RESULT_TIMEOUT });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ timeout: RESULT_TIMEOUT });
    await panelTab(page, { active: false }).waitFor({ timeout: RESULT_TIMEOUT });
    await panelNumber(page, (x) => shownAs(x, nats), `the restored ${nats}`);
    const frame = panelFrame(page);
    assert.ok((await frame.locator('.kl-math .katex').count()) > 0, 'the derivation is typeset again');
    assert.equal(await frame.locator('.katex-error').count(), 0);
    assert.ok((await frame.locator('.kl-chart svg').count()) > 0, 'the charts are back');
    await shoot('restore');
  });

  test('the .kl CodeLens "Evaluate" shows that statement\'s value', 'codelens', async () => {
    const { page } = suite.vs;
    // b = JS([0.5, 0.5], [0.9, 0.1]): SciPy's jensenshannon is the square root of JS, in nats by default.
    const js = Number(python('import scipy.spatial.distance as d; print(repr(float(d.jensenshannon([0.5, 0.5], [0.9, 0.1]) ** 2)))'));
    await openFile(page, 'lens.kl');
    const lenses = activeEditor(page).locator('.codelens-decoration a', { hasText: /^Evaluate$/ });
    await lenses.nth(2).waitFor({ timeout: RESULT_TIMEOUT });
    // View zones are not in line order in the DOM: take the lens above the line "b = JS(...)".
    const target = await activeEditor(page)
      .locator('.view-line', { hasText: 'b = JS(' })
      .first()
      .boundingBox();
    assert.ok(target);
    const tops = await lenses.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().top));
    const above = tops.map((top, i) => ({ top, i })).filter((l) => l.top < target.y).sort((a, b) => b.top - a.top)[0];
    assert.ok(above, `a lens above the JS statement: ${JSON.stringify(tops)} vs ${target.y}`);
    await lenses.nth(above.i).click();
    await panelTab(page).waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
    await panelNumber(page, (x) => shownAs(x, js), `SciPy's JS ${js}`);
    assert.match(await panelFrame(page).locator('.kl-value').first().innerText(), /^JS\(P, Q\) =/);
    await shoot('codelens');
  });
});
