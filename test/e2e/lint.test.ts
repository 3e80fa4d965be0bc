/**
 * KL Lint in a real VS Code: a .py file with `F.kl_div(F.softmax(s / T, -1), F.softmax(t / T, -1))`
 * beside a cross-entropy shows the KL001, KL003 and KL005 squiggles (with the rule id as the code in
 * the Problems view), the hover over kl_div says what it computes, and the quick fixes are applied
 * until no squiggle is left; the same KL001 in a cell of a .ipynb notebook, fixed in the cell.
 * Screenshots in light, dark and high contrast: test-artifacts/e2e/lint-*.png.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { activeEditor, hoverAt, openFile, runCommand } from './harness';
import { sessionPerSuite } from './suite';

/** The first Python file activates the extension and loads the parser. */
const LINT_TIMEOUT = 60_000;

/** The problems of the Problems view, as `code message` lines. */
async function problems(page: Page): Promise<string[]> {
  const rows = page.locator('.markers-panel .monaco-list-row');
  const texts = await rows.allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** Waits until the Problems view lists exactly these rule codes (in any order). */
async function waitForCodes(page: Page, codes: string[], timeout = LINT_TIMEOUT): Promise<string[]> {
  const deadline = Date.now() + timeout;
  let last: string[] = [];
  for (;;) {
    last = await problems(page);
    const found = last.flatMap((l) => l.match(/\bKL\d{3}\b/g) ?? []).sort();
    if (JSON.stringify(found) === JSON.stringify([...codes].sort())) return last;
    if (Date.now() > deadline) throw new Error(`the Problems view shows ${JSON.stringify(last)}, not the codes ${codes.join(', ')}`);
    await page.waitForTimeout(500);
  }
}

/** Puts the cursor on `text` in `editor` and applies the quick fix whose title matches `title`. */
async function quickFix(page: Page, editor: Locator, text: string, title: RegExp): Promise<void> {
  const line = editor.locator('.view-line').filter({ hasText: text }).first();
  const box = await line.boundingBox();
  assert.ok(box, `no line shows ${text}`);
  const content = ((await line.textContent()) ?? '').replace(/\u00a0/g, ' ');
  // Click into the middle of the text: Monaco places the cursor where the click is.
  const at = content.indexOf(text) + Math.floor(text.length / 2);
  const charWidth = box.width / Math.max(1, content.length);
  await page.mouse.click(box.x + at * charWidth + charWidth / 2, box.y + box.height / 2);
  const menu = page.locator('.action-widget').filter({ visible: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.keyboard.press('Control+.');
    const shown = await menu.first().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
    if (shown && (await menu.locator('.action-widget-action-label, .title', { hasText: title }).count()) > 0) break;
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_000);
  }
  await menu.locator('.monaco-list-row').filter({ hasText: title }).first().waitFor({ state: 'visible' });
  // A pointer block over the editor swallows the mouse on this menu: walk to the entry with the keys.
  const rows = menu.locator('.monaco-list-row');
  const labels = await rows.evaluateAll((els) => els.map((e) => ({ text: e.textContent ?? '', focused: e.classList.contains('focused') })));
  const target = labels.findIndex((l) => title.test(l.text));
  const focused = Math.max(0, labels.findIndex((l) => l.focused));
  for (let i = focused; i < target; i++) await page.keyboard.press('ArrowDown');
  for (let i = focused; i > target; i--) await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await menu.first().waitFor({ state: 'hidden' });
}

describe('KL Lint in the editor', { skip: !process.env['KL_LENS_E2E_EXTENSION'] && 'extension not packaged', timeout: 600_000 }, () => {
  const suite = sessionPerSuite({ name: 'lint', prefix: 'lint', settings: { 'files.autoSave': 'off' } });
  const { test, shoot } = suite;

  test('a .py file: squiggles with rule codes, the hover says what kl_div computes, quick fixes clear them', 'py', async () => {
    const { page, workspace } = suite.vs;
    await openFile(page, 'lint/distill.py');
    const editor = activeEditor(page);
    await runCommand(page, 'Problems: Focus on Problems View');
    const rows = await waitForCodes(page, ['KL001', 'KL003', 'KL005']);
    assert.ok(rows.some((r) => /KL001/.test(r) && /takes log-probabilities as its input/.test(r)), JSON.stringify(rows));
    assert.ok(rows.some((r) => /KL005/.test(r) && /without being multiplied by T²/.test(r)), JSON.stringify(rows));
    await editor.locator('.squiggly-warning').first().waitFor({ state: 'visible' });

    // The hover over the called name: the sum it computes, with the user's own names.
    const hover = await hoverAt(page, 'kl_div', { offset: 2 });
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /KL Lens/);
    assert.match(text, /this call computes Σ target·\(log target − input\) \/ input\.numel\(\) — not a KL divergence/);
    assert.match(text, /input = F\.softmax\(student_logits \/ T, -1\)/);
    // The hover fades in: let it settle before each screenshot.
    const settle = async (): Promise<void> => {
      await hoverAt(page, 'kl_div', { offset: 2 });
      await page.waitForTimeout(600);
    };
    await page.waitForTimeout(600);
    await shoot('py-hover', { themes: ['dark', 'high-contrast'], reshow: settle });
    await page.keyboard.press('Escape');

    // KL001: softmax → log_softmax, and its squiggle goes.
    await quickFix(page, editor, 'F.softmax(student_logits / T, -1)', /Use log_softmax \(KL001\)/);
    await waitForCodes(page, ['KL003', 'KL005']);
    await shoot('py-after-kl001', { themes: ['high-contrast'] });
    // KL003 and KL005: the two remaining fixes; then nothing is left.
    await quickFix(page, editor, 'F.kl_div', /reduction="batchmean" \(KL003\)/);
    await waitForCodes(page, ['KL005']);
    await quickFix(page, editor, 'F.kl_div', /Multiply by T \*\* 2 \(KL005\)/);
    await waitForCodes(page, []);
    await editor.locator('.view-lines').click();
    await runCommand(page, 'File: Save');
    const path = join(workspace, 'lint', 'distill.py');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !readFileSync(path, 'utf8').includes('T ** 2')) await page.waitForTimeout(250);
    const saved = readFileSync(path, 'utf8');
    assert.match(saved, /soft = F\.kl_div\(F\.log_softmax\(student_logits \/ T, -1\), F\.softmax\(teacher_logits \/ T, -1\), reduction="batchmean"\) \* T \*\* 2\n/);
    await shoot('py-fixed');
  });

  test('a .ipynb notebook: the KL001 of a cell, with imports from the cell above, fixed in the cell', 'ipynb', async () => {
    const { page } = suite.vs;
    await openFile(page, 'lint/distill.ipynb');
    await runCommand(page, 'Problems: Focus on Problems View');
    const rows = await waitForCodes(page, ['KL001']);
    assert.ok(rows.some((r) => /takes log-probabilities as its input/.test(r)), JSON.stringify(rows));
    const cell = page.locator('.notebook-editor .cell-editor-container .monaco-editor').filter({ hasText: 'soft_loss' }).first();
    await cell.locator('.squiggly-warning').first().waitFor({ state: 'visible', timeout: LINT_TIMEOUT });
    await shoot('ipynb-squiggle', { themes: ['dark', 'high-contrast'] });
    await quickFix(page, cell, 'F.softmax(student_logits / T, -1)', /Use log_softmax \(KL001\)/);
    await waitForCodes(page, []);
    assert.match((await cell.innerText()).replace(/\u00a0/g, ' '), /F\.log_softmax\(student_logits \/ T, -1\)/);
    await shoot('ipynb-fixed');
  });
});

describe('KL Lint settings', { skip: !process.env['KL_LENS_E2E_EXTENSION'] && 'extension not packaged', timeout: 600_000 }, () => {
  const suite = sessionPerSuite({ name: 'lint-settings', prefix: 'lint-settings', settings: { 'klLens.lint.ignore': ['KL003'] } });

  suite.test('klLens.lint.ignore leaves the rules it names out', 'ignore', async () => {
    const { page } = suite.vs;
    await openFile(page, 'lint/distill.py');
    await runCommand(page, 'Problems: Focus on Problems View');
    await waitForCodes(page, ['KL001', 'KL005']);
  });
});
