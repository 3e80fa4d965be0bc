/**
 * Notebook outputs of the MIME type application/vnd.kl-lens+json in a real VS Code: the stored
 * kl-outputs.ipynb (written by test/fixtures/notebook/generate.py, values from SciPy) opens with the
 * built-in ipynb support, without a kernel, and the KL Lens renderer draws each output: value,
 * KaTeX with its fonts, an SVG chart, the error box for a bad payload; "Open in panel" opens the
 * results panel with the same value. A 50k-element output is timed. Screenshots in light and dark:
 * test-artifacts/e2e/nb-*.png.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { ROOT, openFile, panelTab } from './harness';
import { sessionPerSuite } from './suite';

/** The first output also activates the extension and loads the renderer. */
const RENDER_TIMEOUT = 60_000;
const MIME = 'application/vnd.kl-lens+json';

interface IpynbCase {
  id: string;
  expected?: number;
  unit?: string;
  error?: string;
}
const FIXTURES = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'notebook', 'payloads.json'), 'utf8')) as { ipynb: IpynbCase[] };
const cell = (id: string): IpynbCase => FIXTURES.ipynb.find((c) => c.id === id)!;
const shown = (x: number): string => String(Number(x.toPrecision(5)));

/** A notebook with one 50k-element output (lists, as a kernel would send Python lists). */
function largeNotebook(n: number): string {
  const p = Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 1000));
  const q = Array.from({ length: n }, (_, i) => 1 + ((i * 104729) % 997));
  const payload = { expression: 'KL(p || q)', variables: { p, q } };
  const output = { output_type: 'display_data', metadata: {}, data: { [MIME]: payload, 'text/plain': ['KL Lens: KL(p || q)'] } };
  const cells = [{ cell_type: 'code', execution_count: 1, id: 'large', metadata: {}, source: ['kl_lens.show("KL(p || q)", p=p, q=q)'], outputs: [output] }];
  return JSON.stringify({ cells, metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 });
}

describe('KL Lens notebook renderer', { skip: !process.env['KL_LENS_E2E_EXTENSION'] && 'extension not packaged', timeout: 600_000 }, () => {
  const suite = sessionPerSuite({ name: 'notebook', prefix: 'nb', setup: async (vs) => writeFileSync(join(vs.workspace, 'large-output.ipynb'), largeNotebook(50_000)) });
  const { test, shoot } = suite;

  /** The webview frame holding the notebook's outputs: the one where `selector` matches. */
  async function outputFrame(page: Page, selector: string): Promise<Frame> {
    const deadline = Date.now() + RENDER_TIMEOUT;
    for (;;) {
      for (const frame of page.frames()) {
        if (await frame.locator(selector).count().catch(() => 0)) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no frame shows ${selector} after ${RENDER_TIMEOUT} ms`);
      await page.waitForTimeout(250);
    }
  }

  /**
   * Scrolls the notebook (the wheel, as a person would) until `target` in the output webview is on
   * screen: the webview's own document does not scroll, the notebook list around it does.
   */
  async function reveal(page: Page, target: Locator): Promise<void> {
    const viewport = page.viewportSize()!;
    for (let attempt = 0; attempt < 60; attempt++) {
      const box = await target.boundingBox();
      if (!box) throw new Error('the target has no box');
      if (box.y > 150 && box.y + box.height < viewport.height - 50) return;
      await page.mouse.move(viewport.width / 2, viewport.height / 2);
      // A notch at a time: the notebook list takes large wheel deltas only in part.
      await page.mouse.wheel(0, Math.max(-500, Math.min(500, box.y - viewport.height / 3)));
      await page.waitForTimeout(250);
    }
    throw new Error('could not scroll the target into view');
  }

  test('stored outputs render: value, KaTeX with its fonts and no duplicated text, SVG chart, error box', 'outputs', async () => {
    const { page } = suite.vs;
    await openFile(page, 'kl-outputs.ipynb');
    const frame = await outputFrame(page, '.kl-output');
    // Each output in its own shadow root; Playwright's CSS locators pierce open shadow roots.
    const lists = frame.locator('.kl-output').filter({ hasText: 'KL(p || q)' }).filter({ has: frame.locator('.kl-value') });
    const float32 = frame.locator('.kl-output').filter({ hasText: 'KL(a || b)' });
    const bad = frame.locator('.kl-output').filter({ has: frame.locator('.kl-error') });
    await lists.waitFor({ timeout: RENDER_TIMEOUT });
    await float32.waitFor({ timeout: RENDER_TIMEOUT });
    await bad.waitFor({ timeout: RENDER_TIMEOUT });

    for (const [output, c] of [[lists, cell('lists')], [float32, cell('float32')]] as const) {
      const expected = c.expected!;
      assert.equal(await output.locator('.kl-value').innerText(), `KL(P‖Q) = ${shown(expected)} ${c.unit}`);
      const exact = Number(await output.getAttribute('data-value'));
      assert.ok(Math.abs(exact - expected) <= 1e-12 * expected, `${c.id}: ${exact} vs SciPy ${expected}`);
      assert.ok((await output.locator('.kl-math .katex').count()) >= 2, `${c.id}: KaTeX typeset the derivation`);
      assert.equal(await output.locator('.katex-error').count(), 0, `${c.id}: no KaTeX errors`);
      const svg = output.locator('.kl-chart svg').first();
      const box = await svg.boundingBox();
      assert.ok(box && box.width > 100 && box.height > 50, `${c.id}: a visible SVG chart (${JSON.stringify(box)})`);
    }

    // KaTeX's rules reach the shadow root: MathML clipped away, HTML shown; so each formula reads once.
    const math = lists.locator('.kl-math .katex').first();
    const styles = await math.evaluate((el) => {
      const mathml = el.querySelector('.katex-mathml')!;
      const html = el.querySelector('.katex-html')!;
      const m = getComputedStyle(mathml);
      return { clip: m.clipPath, position: m.position, mathmlWidth: mathml.getBoundingClientRect().width, htmlWidth: html.getBoundingClientRect().width, font: getComputedStyle(el).fontFamily };
    });
    assert.equal(styles.clip, 'inset(50%)');
    assert.equal(styles.position, 'absolute');
    assert.ok(styles.mathmlWidth <= 1, `MathML is 1px wide at most (${styles.mathmlWidth})`);
    assert.ok(styles.htmlWidth > 20, 'the HTML rendering takes space');
    assert.match(styles.font, /KaTeX_Main/);
    // The @font-face rules in the document's head load the woff2 files next to the renderer.
    const fonts = await frame.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'KaTeX_Main').map((f) => f.status);
    });
    assert.ok(fonts.includes('loaded'), `KaTeX_Main loaded in the output webview (statuses: ${JSON.stringify(fonts)})`);

    assert.match(await bad.locator('.kl-error').innerText(), new RegExp(cell('bad').error!.replace(/[[\]]/g, '\\$&')));
    assert.equal(await bad.locator('.kl-value').count(), 0);
    await shoot('outputs', { themes: ['dark', 'high-contrast'] });
    await reveal(page, bad.locator('.kl-error'));
    await shoot('error');
  });

  test('"Open in panel" opens the results panel with the same value', 'open-in-panel', async () => {
    const { page } = suite.vs;
    await openFile(page, 'kl-outputs.ipynb');
    const frame = await outputFrame(page, '.kl-output .kl-value');
    const output = frame.locator('.kl-output').filter({ hasText: 'KL(a || b)' });
    await output.waitFor({ timeout: RENDER_TIMEOUT });
    const value = await output.locator('.kl-value').innerText();
    const button = output.locator('.kl-open-panel');
    await reveal(page, button);
    await button.click();
    // The results panel is a webview too: its document is the one with the panel's #content.
    await panelTab(page, { active: false }).waitFor({ timeout: RENDER_TIMEOUT });
    const panel = await outputFrame(page, '#content .kl-value');
    assert.equal(await panel.locator('#content .kl-value').first().innerText(), value);
    assert.equal(await panel.locator('.katex-error').count(), 0);
    assert.ok((await panel.locator('.kl-chart svg').count()) > 0);
    await shoot('open-in-panel');
  });

  test('a 50k-element output renders well under a second (timing printed)', 'large', async () => {
    const { page } = suite.vs;
    const opened = Date.now();
    await openFile(page, 'large-output.ipynb');
    const frame = await outputFrame(page, '.kl-output .kl-value');
    const wall = Date.now() - opened;
    const output = frame.locator('.kl-output').first();
    await output.locator('.kl-chart svg').first().waitFor();
    const renderMs = Number(await output.getAttribute('data-render-ms'));
    console.log(`# 50k-element output: renderer ${renderMs.toFixed(0)} ms (parse, evaluate, derive, chart, DOM); ${wall} ms from Quick Open to visible`);
    assert.ok(Number.isFinite(renderMs), 'the renderer measured itself');
    await suite.vs.screenshot('nb-large-light');
  });
});
