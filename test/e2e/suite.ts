/**
 * One VS Code session for the tests of a describe block: started before them, closed after them,
 * with every editor closed before each test, since a panel an earlier test left open would satisfy
 * a later test's wait. Call it inside describe(), where node:test attaches the hooks to that block.
 */
import { after, before, beforeEach, it } from 'node:test';
import { closeAllEditors, screenshotOnFailure, startVSCode, type Session, type StartOptions, type Theme } from './harness';

/** Sessions start in light, the theme shoot() takes first and returns to. */
export interface SuiteOptions extends Omit<StartOptions, 'theme'> {
  /** Starts every screenshot's name: `<prefix>-<name>-<theme>.png`, `FAILED-<prefix>-<slug>.png`. */
  prefix: string;
  /** Runs once the session has started, before the first test. */
  setup?: (vs: Session) => Promise<void>;
}

export interface Suite {
  /** The running session; tests read it, the before() hook starts it. */
  readonly vs: Session;
  /** it(), leaving FAILED-<prefix>-<slug>.png when the test fails. */
  test(name: string, slug: string, body: () => Promise<void>): void;
  /**
   * Screenshots the window in light, then in each of `themes` (dark by default), back in light after.
   * `reshow` runs after each theme switch, for what the switch hides (a hover, a quick pick).
   */
  shoot(name: string, options?: { themes?: readonly Theme[]; reshow?: () => Promise<void> }): Promise<void>;
}

const DARK: readonly Theme[] = ['dark'];

export function sessionPerSuite({ prefix, setup, ...start }: SuiteOptions): Suite {
  let session: Session | undefined;

  before(async () => {
    session = await startVSCode({ theme: 'light', ...start });
    await setup?.(session);
  });

  after(async () => {
    await session?.close();
  });

  beforeEach(async () => {
    if (session) await closeAllEditors(session.page);
  });

  const suite: Suite = {
    get vs(): Session {
      if (!session) throw new Error('the VS Code session has not started (or failed to start)');
      return session;
    },
    test(name, slug, body) {
      it(name, screenshotOnFailure(() => session, `${prefix}-${slug}`, body));
    },
    async shoot(name, { themes = DARK, reshow } = {}) {
      const vs = suite.vs;
      await vs.screenshot(`${prefix}-${name}-light`);
      for (const theme of themes) {
        await vs.setTheme(theme);
        if (reshow) await reshow();
        await vs.screenshot(`${prefix}-${name}-${theme}`);
      }
      await vs.setTheme('light');
    },
  };
  return suite;
}
