/**
 * A real VS Code for the end-to-end tests: code-server 4.100.3 (VS Code 1.100.3) from the git-ignored
 * .cache/e2e that scripts/e2e-setup.mjs fills, driven by playwright-core with Debian's Chromium.
 * See ../shared/recipes/vscode-e2e.md for why not @vscode/test-electron (it downloads VS Code).
 *
 * Every session gets its own port, user-data-dir, extensions-dir and a copy of the workspace, so
 * sessions never see each other's state, and `close()` always takes the server's process group down.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER = join(ROOT, '.cache', 'e2e', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');
export const WORKSPACE = join(ROOT, 'test', 'e2e', 'workspace');
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** VS Code takes seconds to start on two cores; every wait here is generous on purpose. */
export const STARTUP_TIMEOUT = 90_000;
export const UI_TIMEOUT = 20_000;
/** The first evaluation also activates the extension and starts its worker. */
export const RESULT_TIMEOUT = 60_000;

export type Theme = 'light' | 'dark' | 'high-contrast';
const THEMES: Record<Theme, string> = { light: 'Default Light Modern', dark: 'Default Dark Modern', 'high-contrast': 'Default High Contrast' };
/** How the theme picker labels them (their ids, above, are what settings.json takes). */
const THEME_LABELS: Record<Theme, string> = { light: 'Light Modern', dark: 'Dark Modern', 'high-contrast': 'Dark High Contrast' };
/** The class the workbench carries once each theme is applied. */
const THEME_CLASSES: Record<Theme, string> = { light: 'vs', dark: 'vs-dark', 'high-contrast': 'hc-black' };

export interface StartOptions {
  /** A .vsix to install first; defaults to $KL_LENS_VSIX, and to none when that is unset or empty. */
  vsix?: string | undefined;
  /** The folder to serve; it is copied to a temporary folder first. Defaults to test/e2e/workspace. */
  workspace?: string;
  theme?: Theme;
  /** Settings merged over the harness's own (theme, no startup editor, no workspace trust, quiet). */
  settings?: Record<string, unknown>;
  /** A label for the log file and the temporary folder. */
  name?: string;
}

export interface Session {
  page: Page;
  browser: Browser;
  port: number;
  /** The served copy of the workspace. */
  workspace: string;
  userDataDir: string;
  /** The server's stdout and stderr, kept next to the screenshots. */
  logFile: string;
  theme: Theme;
  /** Switches the color theme live (Preferences: Color Theme) and waits for the workbench to repaint. */
  setTheme(theme: Theme): Promise<void>;
  /** Saves `test-artifacts/e2e/<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Shuts everything down; safe to call twice and after a failed start. */
  close(): Promise<void>;
}

/** The settings every session starts from: nothing the tests did not ask for appears on screen. */
function baseSettings(theme: Theme): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'workbench.colorTheme': THEMES[theme],
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'chat.commandCenter.enabled': false,
    'files.simpleDialog.enable': true,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForHealthz(port: number, server: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before answering /healthz; see ${logFile}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`code-server did not answer /healthz on port ${port} within ${STARTUP_TIMEOUT} ms; see ${logFile}`);
}

/**
 * Server process groups still alive. The server is detached (its own group, so it can be killed
 * whole), which also means Ctrl+C on the terminal does not reach it: exits and signals of the test
 * process take it down here.
 */
const live = new Set<number>();
/** Temporary folders of sessions not yet closed. */
const temps = new Set<string>();
function killLive(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  temps.clear();
}
process.on('exit', killLive);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killLive();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

async function stopServer(server: ChildProcess): Promise<void> {
  const pid = server.pid;
  if (pid === undefined) return;
  const exited = server.exitCode !== null || server.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => server.once('exit', () => r()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      // detached: the server leads its own process group, which holds the extension host and pty hosts.
      process.kill(-pid, sig);
    } catch {
      // the group is already gone
    }
  };
  signal('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  // Children (extension host, file watcher) may outlive the leader: the group always gets SIGKILL.
  signal('SIGKILL');
  if (!stopped) await Promise.race([exited, sleep(2_000)]);
  live.delete(pid);
}

function installExtension(vsix: string, userDataDir: string, extensionsDir: string, env: NodeJS.ProcessEnv): void {
  if (!existsSync(vsix)) throw new Error(`no VSIX at ${vsix}`);
  const result = spawnSync(
    process.execPath,
    [CODE_SERVER, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { encoding: 'utf8', env, timeout: STARTUP_TIMEOUT },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} failed (status ${result.status}):\n${output}`);
  }
}

/** Starts code-server and Chromium, and resolves once the workbench shows the workspace. */
export async function startVSCode(options: StartOptions = {}): Promise<Session> {
  if (!existsSync(CODE_SERVER)) throw new Error(`code-server is not installed at ${CODE_SERVER}: run node scripts/e2e-setup.mjs`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const name = options.name ?? 'vscode';
  let theme = options.theme ?? 'light';
  const vsix = options.vsix ?? (process.env['KL_LENS_VSIX'] || undefined);

  const temp = mkdtempSync(join(tmpdir(), `kl-lens-e2e-${name}-`));
  temps.add(temp);
  const userDataDir = join(temp, 'user-data');
  const extensionsDir = join(temp, 'extensions');
  const workspace = join(temp, basename(options.workspace ?? WORKSPACE));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  cpSync(options.workspace ?? WORKSPACE, workspace, { recursive: true });
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ ...baseSettings(theme), ...options.settings }, null, 2));
  // code-server writes a default config and its logs under the XDG folders: keep them in the temp folder.
  const env = { ...process.env, XDG_CONFIG_HOME: join(temp, 'config'), XDG_DATA_HOME: join(temp, 'data'), PASSWORD: undefined };

  const logFile = join(ARTIFACTS, `${name}-server.log`);
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let closed = false;

  const close = async () => {
    if (closed) return;
    closed = true;
    await browser?.close().catch(() => undefined);
    if (server) await stopServer(server);
    rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
    temps.delete(temp);
  };

  try {
    if (vsix) installExtension(resolve(vsix), userDataDir, extensionsDir, env);
    const port = await freePort();
    const log = createWriteStream(logFile);
    server = spawn(
      process.execPath,
      [
        CODE_SERVER,
        '--config', join(temp, 'config.yaml'),
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--user-data-dir', userDataDir,
        '--extensions-dir', extensionsDir,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (server.pid !== undefined) live.add(server.pid);
    server.stdout?.pipe(log);
    server.stderr?.pipe(log);
    await waitForHealthz(port, server, logFile);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: STARTUP_TIMEOUT });
    await page.locator('.monaco-workbench').waitFor({ timeout: STARTUP_TIMEOUT });
    // The explorer listing the workspace means the remote file system is connected, not just the shell drawn.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: STARTUP_TIMEOUT });
    await waitForTheme(page, theme);

    const session: Session = {
      page,
      browser,
      port,
      workspace,
      userDataDir,
      logFile,
      get theme() {
        return theme;
      },
      async setTheme(next: Theme) {
        // Through the theme picker, as a person would: the web workbench does not watch settings.json.
        await runCommand(page, 'Preferences: Color Theme', { expectQuickInput: true });
        await typeInQuickInput(page, THEME_LABELS[next], { submit: false });
        await pickInQuickInput(page, THEME_LABELS[next]);
        await waitForQuickInputClosed(page);
        theme = next;
        await waitForTheme(page, next);
      },
      screenshot: (shot: string) => screenshot(page, shot),
      close,
    };
    return session;
  } catch (error) {
    if (browser) {
      const pages = browser.contexts().flatMap((c) => c.pages());
      if (pages[0]) await screenshot(pages[0], `${name}-startup-failure`).catch(() => undefined);
    }
    await close();
    throw error;
  }
}

async function waitForTheme(page: Page, theme: Theme): Promise<void> {
  await page.locator(`.monaco-workbench.${THEME_CLASSES[theme]}`).waitFor({ timeout: UI_TIMEOUT });
  // The class flips before every part has repainted.
  await page.waitForTimeout(300);
}

/**
 * Wraps a test body so that a failure leaves `FAILED-<name>.png` beside the other screenshots.
 * `session` is a function because the session is made in a `before` hook, after the tests are declared.
 */
export function screenshotOnFailure(session: () => Session | undefined, name: string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      const vs = session();
      if (vs) {
        await vs.screenshot(`FAILED-${name}`).catch(() => undefined);
        // Info toasts hide themselves; the notification center keeps what the extension said.
        const said = await runCommand(vs.page, 'Notifications: Show Notifications')
          .then(() => vs.page.waitForTimeout(500))
          .then(() => notifications(vs.page))
          .catch(() => []);
        if (said.length > 0 && error instanceof Error) {
          // The reporter prints the stack, which was fixed when the error was made.
          const extra = `\nnotifications on screen: ${JSON.stringify(said)}`;
          error.message += extra;
          error.stack = `${error.stack ?? ''}${extra}`;
        }
        await vs.page.keyboard.press('Escape').catch(() => undefined);
      }
      throw error;
    }
  };
}

/** Saves a full-window screenshot to test-artifacts/e2e/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path });
  return path;
}

const QUICK_INPUT = '.quick-input-widget';

function quickInput(page: Page): Locator {
  return page.locator(QUICK_INPUT);
}

function quickInputBox(page: Page): Locator {
  return page.locator(`${QUICK_INPUT} .quick-input-box input`);
}

/** Text of the rows the quick input shows, for error messages. */
async function quickInputRows(page: Page): Promise<string[]> {
  return page.locator(`${QUICK_INPUT} .monaco-list-row`).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The quick input's rows whose label (not description, keybinding or group separator) is `label`. */
function quickInputRow(page: Page, label: string | RegExp): Locator {
  const pattern = typeof label === 'string' ? new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) : label;
  return page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: pattern }) });
}

export interface RunCommandOptions {
  /** The command opens a quick input of its own (input box or pick): wait for it instead of for the palette to close. */
  expectQuickInput?: boolean;
}

/**
 * Runs a command by its palette title, as a person would: F1, type the title, Enter on the row
 * whose label is that title (not whatever fuzzy match happens to be first).
 */
export async function runCommand(page: Page, title: string, options: RunCommandOptions = {}): Promise<void> {
  await closeQuickInput(page);
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  const box = quickInputBox(page);
  await box.waitFor({ state: 'visible' });
  await box.fill(`>${title}`);
  // The row's label is "<category>: <title>"; its aria-label may append the keybinding.
  const row = quickInputRow(page, title);
  try {
    await row.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  } catch {
    const rows = await quickInputRows(page);
    await page.keyboard.press('Escape');
    throw new Error(`no command titled "${title}" in the palette; it shows: ${JSON.stringify(rows)}`);
  }
  const focused = await row.first().evaluate((el) => el.classList.contains('focused'));
  if (focused) await page.keyboard.press('Enter');
  else await row.first().click();
  if (options.expectQuickInput) {
    // The palette's own input starts with '>'; the command's input does not.
    await page.waitForFunction(
      (selector) => {
        const widget = document.querySelector<HTMLElement>(selector);
        const input = widget?.querySelector<HTMLInputElement>('.quick-input-box input');
        return !!widget && widget.style.display !== 'none' && !!input && !input.value.startsWith('>');
      },
      QUICK_INPUT,
      { timeout: UI_TIMEOUT },
    );
  } else {
    await waitForQuickInputClosed(page);
  }
}

/** Types into the open quick input (replacing what it holds) and, unless told otherwise, presses Enter. */
export async function typeInQuickInput(page: Page, text: string, { submit = true }: { submit?: boolean } = {}): Promise<void> {
  const box = quickInputBox(page);
  await box.waitFor({ state: 'visible' });
  await box.fill(text);
  if (submit) {
    // A pick list filters as you type; give it the keystroke's worth of time to settle before Enter.
    await page.waitForTimeout(200);
    await box.press('Enter');
  }
}

/** Picks the row of the open quick pick whose label is `label` (a string: exactly; a RegExp: matching). */
export async function pickInQuickInput(page: Page, label: string | RegExp): Promise<void> {
  const row = quickInputRow(page, label);
  try {
    await row.first().waitFor({ state: 'visible' });
  } catch {
    throw new Error(`no row ${String(label)} in the quick input; it shows: ${JSON.stringify(await quickInputRows(page))}`);
  }
  await row.first().click();
}

export async function waitForQuickInputClosed(page: Page, timeout = UI_TIMEOUT): Promise<void> {
  await quickInput(page).waitFor({ state: 'hidden', timeout });
}

async function closeQuickInput(page: Page): Promise<void> {
  if (await quickInput(page).isVisible()) {
    await page.keyboard.press('Escape');
    await waitForQuickInputClosed(page);
  }
}

/**
 * Keyboard shortcuts reach the workbench only when focus is in its own document: after a webview
 * took focus, keys go to the webview's frame. Blurring the frame hands them back without clicking
 * anything that would itself react.
 */
async function focusWorkbench(page: Page): Promise<void> {
  await page.evaluate(() => {
    const active = document.activeElement;
    if (active instanceof HTMLIFrameElement) active.blur();
  });
}

/**
 * Opens a workspace file with Quick Open (Ctrl+P) and waits for its tab to be the active one. A file
 * written while VS Code runs can be missing from the first search (the server's file list catches up
 * with the watcher later), so a search that finds nothing is typed again until UI_TIMEOUT.
 */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = basename(relativePath);
  const row = quickInputRow(page, name);
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    await closeQuickInput(page);
    await focusWorkbench(page);
    await page.keyboard.press('Control+P');
    const box = quickInputBox(page);
    await box.waitFor({ state: 'visible' });
    await box.fill(relativePath);
    // Quick open searches the files with ripgrep in the server; the first search after start is slow.
    const found = await row
      .first()
      .waitFor({ state: 'visible', timeout: Math.max(1, Math.min(5_000, deadline - Date.now())) })
      .then(() => true)
      .catch(() => false);
    if (found) break;
    if (Date.now() >= deadline) {
      const rows = await quickInputRows(page);
      await page.keyboard.press('Escape');
      throw new Error(`quick open found no ${relativePath}; it shows: ${JSON.stringify(rows)}`);
    }
  }
  await row.first().click();
  await waitForQuickInputClosed(page);
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
}

/**
 * Right-clicks `file` in the explorer and clicks `entry` of its context menu. The menu is built when
 * it opens, and an extension's entries appear only once the extension host has registered it, so a
 * menu without the entry is closed and opened again until it has it.
 */
export async function explorerContextMenu(page: Page, file: string, entry: string, timeout = UI_TIMEOUT): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(basename(file))}\\s*$`) }) });
  const menu = page.locator('.context-view .monaco-menu').filter({ visible: true });
  const item = menu.locator('.action-item').filter({ has: page.locator('.action-label', { hasText: new RegExp(`^\\s*${escapeRegExp(entry)}\\s*$`) }) });
  const deadline = Date.now() + timeout;
  for (;;) {
    await row.first().click({ button: 'right' });
    await menu.first().waitFor({ state: 'visible' });
    if ((await item.count()) > 0) break;
    const entries = await menu.locator('.action-label').allInnerTexts();
    await page.keyboard.press('Escape');
    await menu.first().waitFor({ state: 'hidden' });
    if (Date.now() > deadline) throw new Error(`the explorer menu of ${file} has no "${entry}": ${JSON.stringify(entries.filter(Boolean))}`);
    await page.waitForTimeout(1_000);
  }
  // A click on an entry that lies over a webview is sometimes swallowed (the menu stays open with the
  // entry highlighted); the keyboard on the hovered entry always runs it.
  await item.first().hover();
  await page.keyboard.press('Enter');
  await menu.first().waitFor({ state: 'hidden' });
}

/** Closes every editor (text, webview panels), so a test starts from an empty editor area. */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await page.locator('.tabs-container .tab').first().waitFor({ state: 'detached' });
}

/** The active editor's text area, e.g. to select all with Ctrl+A. */
export function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** Clicks into the active text editor so keys go to it. */
export async function focusEditor(page: Page): Promise<void> {
  await activeEditor(page).locator('.view-lines').click();
}

/**
 * The content of the visible webview panel (VS Code nests the extension's document in an inner
 * `#active-frame`). Hidden webviews stay in the DOM, so the visible one is taken.
 */
export function panelFrame(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready').filter({ visible: true }).last().contentFrame().locator('#active-frame').contentFrame();
}

/** The results panel's tab ("KL Lens" or "KL Lens: <quantity>"); only the active one unless `active` is false. */
export function panelTab(page: Page, { active = true }: { active?: boolean } = {}): Locator {
  return page.locator(active ? '.tabs-container .tab.active' : '.tabs-container .tab', { hasText: /^\s*KL Lens\b/ }).first();
}

/** Runs "KL Lens: Evaluate Expression…" on `expression` and waits for the results panel to be the active tab. */
export async function evaluateExpression(page: Page, expression: string): Promise<void> {
  await runCommand(page, 'KL Lens: Evaluate Expression…', { expectQuickInput: true });
  await typeInQuickInput(page, expression);
  await panelTab(page).waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
}

/**
 * Places the mouse over `text` in the active editor's rendered lines (at its `offset`-th character,
 * the middle by default) and waits for the hover. Monaco splits a line into one span per token, so
 * the point is found with a DOM Range over the line's text, not by matching a single span.
 */
export async function hoverAt(page: Page, text: string, { offset }: { offset?: number } = {}): Promise<Locator> {
  const hover = page.locator('.monaco-hover-content').filter({ visible: true });
  const point = await activeEditor(page)
    .locator('.view-lines')
    .evaluate(
      (lines, args) => {
        const { text, offset } = args;
        for (const line of Array.from(lines.querySelectorAll('.view-line'))) {
          // Monaco renders spaces as U+00A0.
          const content = (line.textContent ?? '').replace(/\u00a0/g, ' ');
          const start = content.indexOf(text);
          if (start < 0) continue;
          const target = start + (offset ?? Math.floor(text.length / 2));
          const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
          let seen = 0;
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const length = node.textContent?.length ?? 0;
            if (seen + length > target) {
              const range = document.createRange();
              range.setStart(node, target - seen);
              range.setEnd(node, target - seen + 1);
              const rect = range.getBoundingClientRect();
              return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
            }
            seen += length;
          }
        }
        return null;
      },
      { text, offset },
    );
  if (!point) throw new Error(`"${text}" is not on a rendered line of the active editor`);
  for (let attempt = 0; attempt < 3; attempt++) {
    // Arrive from elsewhere: the hover controller reacts to mouse moves onto the token.
    await page.mouse.move(point.x, point.y + 200);
    await page.mouse.move(point.x, point.y, { steps: 5 });
    try {
      await hover.first().waitFor({ state: 'visible', timeout: 8_000 });
      return hover.first();
    } catch {
      await page.mouse.move(point.x + 1, point.y);
    }
  }
  // The mouse hover did not come up (e.g. focus elsewhere): ask for it from the keyboard.
  await page.mouse.click(point.x, point.y);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  await hover.first().waitFor({ state: 'visible' });
  return hover.first();
}

/** Messages of the notifications on screen (toasts) and in the notification center. */
export async function notifications(page: Page): Promise<string[]> {
  const messages = await page
    .locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message')
    .allInnerTexts();
  return [...new Set(messages.map((m) => m.trim()).filter(Boolean))];
}

/** Waits for a notification whose message matches, and returns its text. */
export async function waitForNotification(page: Page, pattern: RegExp, timeout = UI_TIMEOUT): Promise<string> {
  const message = page.locator('.notifications-toasts .notification-list-item-message').filter({ hasText: pattern });
  try {
    await message.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`no notification matching ${pattern}; on screen: ${JSON.stringify(await notifications(page))}`);
  }
  // Toasts slide in: let the transition end so a screenshot shows them whole.
  await page.waitForTimeout(600);
  return (await message.first().innerText()).trim();
}

/** Dismisses every notification toast. */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}
