/**
 * The life of a browser test file: one stack (gateway in Next.js + core node processes +
 * PostgreSQL) and one Chromium for the whole file, a screenshots folder, and every test ending
 * with no CSP violation in any page the driver made.
 */
import { mkdirSync } from "node:fs";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium } from "./browser";
import { SCREENSHOT_DIR } from "./paths";
import { pwaDriver, type PwaDriver } from "./pwa";
import { startStack, type Stack, type StackOptions } from "./stack";

export interface PwaSuite extends PwaDriver {
  /** The running stack (available from the first test on). */
  readonly stack: Stack;
}

export function usePwaSuite(options: StackOptions & { nodes: number }): PwaSuite {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    stack = await startStack(options);
    browser = await launchChromium();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, 20 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  afterEach(() => {
    expect(cspViolations.splice(0)).toEqual([]);
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (!value) throw new Error(`the ${what} is not started yet (use it inside a test)`);
    return value;
  };
  const driver = pwaDriver({ stack: () => started(stack, "stack"), browser: () => started(browser, "browser"), cspViolations });
  return {
    ...driver,
    get stack() {
      return started(stack, "stack");
    },
  };
}
