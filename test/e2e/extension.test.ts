/**
 * KL Lens in a real VS Code: the commands, the results panel, the hover, the `.kl` diagnostics and
 * the error path, each with a screenshot in light and dark (test-artifacts/e2e/ext-*.png).
 * Runs only against the packaged extension (run.mjs sets KL_LENS_E2E_EXTENSION after `npm run package`).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type Page } from 'playwright-core';
import {
  RESULT_TIMEOUT,
  UI_TIMEOUT,
  activeEditor,
  clearNotifications,
  evaluateExpression,
  explorerContextMenu,
  focusEditor,
  hoverAt,
  notifications,
  openFile,
  panelFrame,
  panelTab,
  runCommand,
  typeInQuickInput,
  waitForNotification,
} from './harness';
import { sessionPerSuite } from './suite';

const EXPRESSION = 'KL([0.5,0.3,0.2] || [0.4,0.4,0.2])';

describe('KL Lens extension', { skip: !process.env['KL_LENS_E2E_EXTENSION'] && 'extension not packaged', timeout: 600_000 }, () => {
  const suite = sessionPerSuite({ name: 'extension', prefix: 'ext' });
  const { test, shoot } = suite;

  /** Text of the results panel, once it holds something matching `pattern`. */
  async function panelText(page: Page, pattern: RegExp): Promise<string> {
    const body = panelFrame(page).locator('body');
    await body.filter({ hasText: pattern }).waitFor({ timeout: RESULT_TIMEOUT });
    return body.innerText();
  }

  test('Evaluate Expression… shows the value, the typeset derivation and a chart', 'evaluate-expression', async () => {
    const { page } = suite.vs;
    await evaluateExpression(page, EXPRESSION);
    const frame = panelFrame(page);
    await frame.locator('.kl-value').filter({ hasText: /0\.025267/ }).first().waitFor({ timeout: RESULT_TIMEOUT });
    await frame.locator('.kl-math .katex').first().waitFor();
    assert.ok((await frame.locator('.kl-math .katex').count()) > 0, 'KaTeX typeset the derivation');
    assert.equal(await frame.locator('.katex-error').count(), 0, 'no KaTeX errors');
    await frame.locator('.kl-chart svg').first().waitFor();
    await shoot('evaluate-expression');
  });

  test('Evaluate Selection evaluates the two arrays of arrays.py', 'evaluate-selection', async () => {
    const { page } = suite.vs;
    await openFile(page, 'arrays.py');
    await focusEditor(page);
    await page.keyboard.press('Control+A');
    await runCommand(page, 'KL Lens: Evaluate Selection');
    await panelTab(page).waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
    assert.match(await panelText(page, /KL/), /KL/);
    await shoot('evaluate-selection');
  });

  test('Inspect Tensor File lists the tensors of logits.safetensors', 'inspect-tensor-file', async () => {
    const { page } = suite.vs;
    // The listing may be the results panel, a quick pick or a view: whichever appears must name both.
    const listed = async () => {
      const texts = [
        await panelFrame(page).locator('body').innerText({ timeout: 1_000 }).catch(() => ''),
        await page.locator('.quick-input-widget').filter({ visible: true }).innerText({ timeout: 1_000 }).catch(() => ''),
        await page.locator('.part.sidebar, .part.panel').filter({ visible: true }).allInnerTexts().then((t) => t.join('\n')).catch(() => ''),
      ];
      return texts.some((t) => t.includes('student') && t.includes('teacher'));
    };
    const inspect = async () => {
      await explorerContextMenu(page, 'logits.safetensors', 'Inspect Tensor File');
      const deadline = Date.now() + RESULT_TIMEOUT;
      while (!(await listed())) {
        if (Date.now() > deadline) assert.fail('no panel, pick or view lists student and teacher');
        await page.waitForTimeout(500);
      }
    };
    await inspect();
    // Switching the theme closes a quick pick: the listing is shown again for the dark screenshot.
    await shoot('inspect-tensor-file', { reshow: inspect });
    await page.keyboard.press('Escape');
  });

  test('Compare Tensor Files… from two files selected in the explorer', 'compare-files', async () => {
    const { page } = suite.vs;
    const row = (name: string) =>
      page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${name.replace('.', '\\.')}\\s*$`) }) }).first();
    const isSelected = (name: string) => row(name).evaluate((el) => el.classList.contains('selected'));
    // The first click opens p.npy in an editor, which on a busy machine can take the focus as the
    // Control+click lands and leave one file selected: the clicks are repeated until both are.
    const deadline = Date.now() + UI_TIMEOUT;
    for (;;) {
      const [p, q] = [await isSelected('p.npy'), await isSelected('q32.npy')];
      if (p && q) break;
      if (Date.now() > deadline) assert.fail(`the explorer never held both files selected (p.npy ${p}, q32.npy ${q})`);
      if (!p) await row('p.npy').click();
      else await row('q32.npy').click({ modifiers: ['Control'] });
      await page.waitForTimeout(500);
    }
    await explorerContextMenu(page, 'q32.npy', 'Compare Tensor Files…');
    // Each file holds one tensor (no key picker); then the quantity.
    await page.locator('.quick-input-widget').filter({ visible: true }).waitFor({ timeout: UI_TIMEOUT });
    await typeInQuickInput(page, 'KL(P ‖ Q)');
    await panelTab(page).waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
    // KL(p ‖ q) of the two fixtures, as SciPy computes it (test/fixtures/io/cli/expected.json): 0.97092.
    const text = await panelText(page, /0\.97092/);
    assert.match(text, /reverse KL\(Q‖P\) = 1\.6419/);
    await shoot('compare-files');
  });

  test('hovering an array literal shows an SVG chart', 'hover', async () => {
    const { page } = suite.vs;
    await openFile(page, 'arrays.py');
    // Drop the select-all of the test before, which would frame the hover in a selection.
    await focusEditor(page);
    await page.keyboard.press('Control+Home');
    const show = async () => {
      await page.mouse.move(5, 5);
      const hover = await hoverAt(page, 'np.array([0.5, 0.3, 0.2])', { offset: 'np.array([0.'.length });
      const img = hover.locator('img').first();
      await img.waitFor({ timeout: UI_TIMEOUT });
      assert.match((await img.getAttribute('src')) ?? '', /^data:image\/svg\+xml/);
    };
    await show();
    await shoot('hover', { reshow: show });
    await page.mouse.move(5, 5);
  });

  test('a .kl file gets an error squiggle on the line with the syntax error, and only there', 'kl-squiggle', async () => {
    const { page } = suite.vs;
    await openFile(page, 'example.kl');
    const editor = activeEditor(page);
    const squiggle = editor.locator('.squiggly-error').first();
    await squiggle.waitFor({ timeout: RESULT_TIMEOUT });
    const lines = await editor.locator('.view-line').evaluateAll((els) =>
      els.map((el) => ({ text: (el.textContent ?? '').replace(/\u00a0/g, ' ').trim(), top: el.getBoundingClientRect().top, bottom: el.getBoundingClientRect().bottom })),
    );
    const bad = lines.find((l) => l.text === 'KL([0.5, 0.5] ||');
    const good = lines.find((l) => l.text.startsWith('KL([0.5, 0.5] || [0.9'));
    assert.ok(bad && good, `both lines rendered: ${JSON.stringify(lines)}`);
    const tops = await editor.locator('.squiggly-error').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2));
    assert.ok(tops.length > 0);
    for (const y of tops) {
      assert.ok(y >= bad.top && y <= bad.bottom, `squiggle at y=${y} lies on the bad line (${bad.top}-${bad.bottom}), not the good one (${good.top}-${good.bottom})`);
    }
    await shoot('kl-squiggle');
  });

  test('a malformed tensor file gives an error notification, and evaluation still works after it', 'bad-tensor-file', async () => {
    const { page } = suite.vs;
    await clearNotifications(page);
    await explorerContextMenu(page, 'broken.safetensors', 'Inspect Tensor File');
    const message = await waitForNotification(page, /safetensors|header|broken/i, RESULT_TIMEOUT);
    assert.ok(message.length > 0);
    const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: message.slice(0, 40) });
    assert.ok(await toast.locator('.codicon-error').count() > 0, `an error, not an info: ${JSON.stringify(await notifications(page))}`);
    await shoot('bad-tensor-file');
    await clearNotifications(page);
    await evaluateExpression(page, EXPRESSION);
    await panelFrame(page).locator('.kl-value').filter({ hasText: /0\.025267/ }).first().waitFor({ timeout: RESULT_TIMEOUT });
  });
});
