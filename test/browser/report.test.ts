/**
 * The HTML report as a reader sees it: real Chromium opens reports the CLI wrote, in light and
 * dark, and checks that KaTeX typeset every formula once (no errors, MathML hidden by its
 * stylesheet), that the charts are there and drawn with theme colours. Screenshots are kept in
 * test-artifacts/report/ to look at.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserMissing, launch } from './chromium';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const artifacts = join(root, 'test-artifacts', 'report');
const work = mkdtempSync(join(tmpdir(), 'kl-lens-report-'));

const REPORTS: Record<string, string> = {
  'kl-discrete': 'p = [0.5, 0.3, 0.2]\nq = [0.4, 0.4, 0.2]\nKL(p || q)',
  'kl-infinite': 'KL([0.5, 0.25, 0.25] || [0.5, 0.5, 0], base=2)',
  'kl-counts': 'KL([12, 30, 5, 3, 50] || [20, 20, 20, 20, 20])',
  'kl-large': 'x = [' + Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 1000) / 250).join(',') + ']\nKL(softmax(x) || softmax(x / 2))',
  'kl-rows': 'KL(softmax([[1, 2, 3, 4], [4, 3, 2, 1], [1, 1, 1, 1]]) || softmax([[1, 1, 2, 2], [2, 2, 1, 1], [0, 1, 0, 1]]), reduction="batchmean")',
  js: 'JS([0.7, 0.2, 0.1, 0], [0, 0.1, 0.2, 0.7])',
  'cross-entropy': 'H([0.5, 0.3, 0.2], [0.4, 0.4, 0.2])',
  mi: 'MI([[10, 2], [3, 15]])',
  'gauss-1d': 'KL(N(0, 1) || N(1, 2))',
  'gauss-2d': 'KL(N([0, 0], [[1, 0.6], [0.6, 1]]) || N([1, -0.5], [[2, 0], [0, 0.5]]))',
  vae: 'vae_kl([0.3, -1.2, 0.8, 0.05], [-0.2, 0.4, -1.5, 0.0])',
  distill: 'distill([[1.0, 2.0, 0.5, -1.0], [0.2, 0.1, 3.0, 1.0]], [[2.0, 1.0, 0.1, -0.5], [0.0, 0.5, 2.5, 1.5]], T=4)',
  penalty: 'kl_penalty([-1.2, -0.7, -2.3, -0.1, -3.0], [-1.0, -0.9, -2.0, -0.2, -2.5], beta=0.1, estimator="k3")',
};

const skip = browserMissing();

describe('HTML report in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
    mkdirSync(artifacts, { recursive: true });
  });
  after(async () => browser?.close());

  for (const [name, program] of Object.entries(REPORTS)) {
    it(`${name}: typeset once, charts drawn, light and dark`, async () => {
      const file = join(work, `${name}.html`);
      const r = spawnSync(process.execPath, [cli, 'eval', '-', '--html', file], { input: program, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      for (const colorScheme of ['light', 'dark'] as const) {
        const page = await browser.newPage({ colorScheme, viewport: { width: 1000, height: 800 } });
        const requests: string[] = [];
        page.on('request', (req) => {
          if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) requests.push(req.url());
        });
        await page.goto(`file://${file}`);
        await page.evaluate(() => document.fonts.ready);
        assert.equal(await page.locator('.katex-error').count(), 0, 'no KaTeX errors');
        const formulas = await page.locator('.kl-math .katex').count();
        assert.ok(formulas > 0, 'the derivation has typeset formulas');
        // With the stylesheet in effect, KaTeX's MathML twin is clipped to 1px: each formula shows once.
        const mathmlSizes = await page.$$eval('.kl-math .katex-mathml', (els) => els.map((e) => e.getBoundingClientRect().width));
        assert.ok(mathmlSizes.every((w) => w <= 1), `MathML visible: ${mathmlSizes.join(', ')}`);
        assert.ok(await page.evaluate(() => document.fonts.check('16px KaTeX_Main')), 'KaTeX fonts loaded from the inlined stylesheet');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
        const charts = await page.locator('.kl-chart svg').count();
        assert.ok(charts > 0, 'at least one chart');
        // Chart text takes the theme's foreground colour: dark text on light, light text on dark.
        const luminance = await page.$eval('.kl-chart svg text', (t) => {
          const [r, g, b] = getComputedStyle(t).fill.match(/\d+/g)!.map(Number) as [number, number, number];
          return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        });
        assert.ok(colorScheme === 'light' ? luminance < 0.5 : luminance > 0.5, `chart text luminance ${luminance} in ${colorScheme}`);
        assert.deepEqual(requests, [], 'the report needs no network');
        await page.screenshot({ path: join(artifacts, `${name}-${colorScheme}.png`), fullPage: true });
        await page.close();
      }
    });
  }
});
