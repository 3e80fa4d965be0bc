/**
 * Proves the harness itself: a real VS Code starts, commands run from the palette, workspace files
 * open, themes switch. Nothing here depends on KL Lens, so it passes before the extension exists.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { activeEditor, openFile, runCommand, screenshotOnFailure, startVSCode, type Session } from './harness';

describe('VS Code in the browser (harness smoke test)', { timeout: 300_000 }, () => {
  let vs: Session;

  before(async () => {
    vs = await startVSCode({ name: 'smoke', theme: 'light' });
  });

  after(async () => {
    await vs?.close();
  });

  /** it(), leaving FAILED-smoke-<slug>.png when the test fails. */
  function test(name: string, slug: string, body: () => Promise<void>) {
    it(name, screenshotOnFailure(() => vs, `smoke-${slug}`, body));
  }

  test('shows the workbench with the workspace in the explorer', 'workbench', async () => {
    const { page } = vs;
    assert.ok(await page.locator('.monaco-workbench .part.editor').isVisible());
    const rows = await page.locator('.explorer-folders-view .monaco-list-row').allInnerTexts();
    for (const file of ['arrays.py', 'example.kl', 'logits.safetensors']) {
      assert.ok(rows.some((r) => r.includes(file)), `explorer lists ${file}: ${JSON.stringify(rows)}`);
    }
    await vs.screenshot('smoke-workbench-light');
  });

  test('runs a command from the palette', 'palette', async () => {
    const { page } = vs;
    const statusBar = page.locator('.part.statusbar');
    await statusBar.waitFor({ state: 'visible' });
    await runCommand(page, 'View: Toggle Status Bar Visibility');
    await statusBar.waitFor({ state: 'hidden' });
    await runCommand(page, 'View: Toggle Status Bar Visibility');
    await statusBar.waitFor({ state: 'visible' });
  });

  test('opens a workspace file with quick open', 'quick-open', async () => {
    const { page } = vs;
    await openFile(page, 'arrays.py');
    const lines = activeEditor(page).locator('.view-lines');
    await lines.filter({ hasText: 'np.array' }).waitFor();
    const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /p = np\.array\(\[0\.5, 0\.3, 0\.2\]\)/);
    assert.match(text, /q = np\.array\(\[0\.4, 0\.4, 0\.2\]\)/);
    // Python is highlighted by the built-in grammar: the line is split into token spans.
    assert.ok((await lines.locator('.view-line').first().locator('span span').count()) > 1);
    await openFile(page, 'example.kl');
    await activeEditor(page).locator('.view-lines').filter({ hasText: 'KL(' }).waitFor();
  });

  test('takes screenshots in light and dark', 'themes', async () => {
    const { page } = vs;
    await openFile(page, 'arrays.py');
    await vs.screenshot('smoke-arrays-light');
    await vs.setTheme('dark');
    assert.ok(await page.locator('.monaco-workbench.vs-dark').isVisible());
    await vs.screenshot('smoke-arrays-dark');
    await vs.setTheme('light');
    assert.ok(await page.locator('.monaco-workbench.vs').isVisible());
  });
});
