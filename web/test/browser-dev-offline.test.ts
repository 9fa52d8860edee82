/**
 * The README's main command is `npm run dev`: what its offline screenshot promises must hold
 * there too. Against `next dev` (scripts/serve-web.ts --dev, as `npm run dev` runs it), with
 * every server stopped, a reload is answered by the service worker: the app, not the browser's
 * error page, with the history this device kept.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createGatewayClient } from "@dim/client";
import { SCREENSHOT_DIR } from "./helpers/paths";
import { lastMessage, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";

const suite = usePwaSuite({ nodes: 1, dev: true });

describe("the PWA under `npm run dev`", () => {
  it("reloads with every server down: the service worker serves the app and the history", async () => {
    // `next dev` compiles each page on its first request: do that before the browser waits on it.
    for (const path of ["/", "/login", "/register"]) expect((await fetch(`${suite.stack.baseUrl}${path}`)).status, path).toBe(200);
    const fay = await suite.newPage();
    fay.setDefaultTimeout(90_000);
    // No Next.js dev-tools button: the first Tab stop is the page's own (the button lives in the
    // shadow DOM of a <nextjs-portal>, which would then be the active element).
    await fay.goto(`${suite.stack.baseUrl}/login`);
    await fay.waitForFunction(() => (window as unknown as { next?: { appDir?: boolean } }).next?.appDir === true);
    await fay.keyboard.press("Tab");
    expect(await fay.evaluate(() => document.activeElement?.tagName.toLowerCase() ?? null)).not.toBe("nextjs-portal");
    expect(await fay.evaluate(() => !!document.querySelector("nextjs-portal")?.shadowRoot?.querySelector("[data-nextjs-dev-tools-button], #next-logo"))).toBe(false);
    await suite.register(fay, "fay", "Fay Lind").catch(async (error: unknown) => {
      await fay.screenshot({ path: join(SCREENSHOT_DIR, "dev-register-failed.png") });
      throw error;
    });
    const gus = await suite.registerOverHttp("gus", "Gus Moreau");
    await createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: gus.sessionToken }).contacts.request.mutate({ username: "fay" });
    await fay.reload();
    await fay.getByRole("button", { name: "Accept @gus" }).click({ timeout: 120_000 });
    const conversation = fay.getByTestId("conversation").filter({ hasText: "Gus Moreau" });
    await conversation.click();
    const composer = fay.getByRole("textbox", { name: "Message" });
    await composer.fill("Written under next dev.");
    await composer.press("Enter");
    await expect.poll(() => lastMessage(fay, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered)$/);
    // The service worker is registered in development too, and controls the page.
    await expect.poll(() => fay.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? "no service worker"), { timeout: 120_000 }).toMatch(/\/sw\.js/);

    await suite.stack.stopServers();
    const response = await fay.reload();
    // Served by the service worker (a browser error page has no response at all).
    expect(response?.fromServiceWorker()).toBe(true);
    await fay.locator('[data-offline="true"]').waitFor({ timeout: 60_000 });
    await fay.getByRole("button", { name: /^Chat with Gus Moreau/ }).waitFor(WAIT);
    await conversation.click();
    await expect.poll(() => fay.getByTestId("message").allInnerTexts(), WAIT).toEqual([expect.stringContaining("Written under next dev.")]);
    await fay.context().close();
  }, 600_000);
});
