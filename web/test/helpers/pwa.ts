/**
 * Driving the PWA in Chromium, shared by the browser tests: pages with CSP recording, people
 * registered through the form or over HTTP, signing in, and small reads of what a page shows.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect } from "vitest";
import type { Browser, Page } from "playwright-core";
import { recordCspViolations } from "./csp";
import { WEB_DIR } from "./paths";
import type { Stack } from "./stack";

export const PASSWORD = "correct horse battery";
export const WAIT = { timeout: 20_000 };

export interface PwaDriver {
  /** A page in a fresh context (its own cookies and IndexedDB); CSP violations go to `cspViolations`. */
  newPage(options?: { colorScheme?: "light" | "dark"; serviceWorkers?: "allow" | "block"; width?: number; height?: number; locale?: string }): Promise<Page>;
  register(page: Page, username: string, displayName: string): Promise<void>;
  /** Registers someone over HTTP only (no browser): faster, for people who are only searched for. */
  registerOverHttp(username: string, displayName: string): Promise<{ sessionToken: string; user: { id: string } }>;
  /** Signs in through the login form and waits for the main page. */
  login(page: Page, username: string): Promise<void>;
}

export function pwaDriver(ctx: { stack: () => Stack; browser: () => Browser; cspViolations: string[] }): PwaDriver {
  return {
    async newPage(options = {}) {
      const context = await ctx.browser().newContext({
        viewport: { width: options.width ?? 1100, height: options.height ?? 720 },
        // navigator.languages and Accept-Language: the app follows them (src/i18n).
        locale: options.locale ?? "en-US",
        colorScheme: options.colorScheme ?? "light",
        serviceWorkers: options.serviceWorkers ?? "allow",
      });
      await recordCspViolations(context, ctx.cspViolations);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return page;
    },
    async register(page, username, displayName) {
      const base = ctx.stack().baseUrl;
      await page.goto(`${base}/register`);
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Display name (optional)").fill(displayName);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Confirm password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL(`${base}/`);
    },
    async registerOverHttp(username, displayName) {
      const res = await fetch(`${ctx.stack().baseUrl}/api/trpc/auth.register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password: PASSWORD, displayName }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      return ((await res.json()) as { result: { data: { sessionToken: string; user: { id: string } } } }).result.data;
    },
    async login(page, username) {
      const base = ctx.stack().baseUrl;
      await page.goto(`${base}/login`);
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Password").fill(PASSWORD);
      const submit = page.getByRole("button", { name: "Sign in" });
      await expect.poll(() => submit.isEnabled(), WAIT).toBe(true); // hydrated
      await submit.click();
      await page.waitForURL(`${base}/`);
    },
  };
}

/** aria-label (or data-conversation-id, or id) of the focused element. */
export function focused(page: Page, attribute = "aria-label"): Promise<string | null> {
  return page.evaluate((a) => document.activeElement?.getAttribute(a) ?? null, attribute);
}

/** The node the page is connected to (the banner's data-node-id; people see only "Connected"). */
export async function connectedNode(page: Page): Promise<string> {
  const banner = page.locator('[data-connection="connected"]');
  await banner.waitFor(WAIT);
  return (await banner.getAttribute("data-node-id")) ?? "";
}

export function lastMessage(page: Page, own: boolean) {
  return page.locator(`[data-testid="message"][data-own="${own}"]`).last();
}

let axeSource: string | null = null;

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A/AA rules), as
 * "rule-id: target" lines (empty when clean). axe is evaluated over the DevTools protocol, which
 * the page's strict CSP does not apply to (a <script> tag would be refused, and reported).
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await withoutTransitions(page);
  axeSource ??= readFileSync(createRequire(`${WEB_DIR}/package.json`).resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; tags: string[]; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    // Experimental rules (axe runs none by default; a tag selection pulls them in) are left out:
    // axe itself does not yet call them settled.
    return result.violations.filter((v) => !v.tags.includes("experimental")).map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.targets.join(", ")}`);
}

/**
 * Colours at rest: transitions off on this page (idempotent). A button fading to its hover colour
 * after a click, or the page fading to the other theme, would show axe a contrast no one sees at rest.
 */
export async function withoutTransitions(page: Page): Promise<void> {
  await page.evaluate(() => {
    if (document.getElementById("test-no-transitions")) return;
    const style = document.createElement("style");
    style.id = "test-no-transitions";
    style.textContent = "*, *::before, *::after { transition: none !important; }";
    document.head.append(style);
  });
}

/**
 * Switches the system theme the page follows and waits until it shows it (the `dark` class
 * applied). Colour transitions are switched off first: axe reading a colour mid-fade would see a
 * contrast no one sees at rest, and waiting for them to end is not reliable (re-renders restart them).
 */
export async function switchTheme(page: Page, scheme: "light" | "dark"): Promise<void> {
  await withoutTransitions(page);
  await page.emulateMedia({ colorScheme: scheme });
  await page.waitForFunction((dark) => document.documentElement.classList.contains("dark") === dark, scheme === "dark", WAIT);
}
