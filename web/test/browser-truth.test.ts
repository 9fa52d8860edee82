/**
 * Issue 15, "the PWA tells the truth": the browser's `offline` event is believed at once and a
 * message written offline waits as "Sending…" (never "Failed") and goes out once; people see
 * "Connected" (the node is a detail for operators); an error is said once, in words; the
 * contact search clears after a request; opening a chat puts the cursor in the composer; and
 * expected answers (signed out, refused input) leave no red error in the console.
 */
import { createPrisma } from "@dim/db";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { consoleErrors, lastMessage, seriousAxeViolations, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";

const suite = usePwaSuite({ nodes: 2 });

/** What the "Add contact" form says right now: every visible status or alert line with text. */
async function formMessages(page: Page): Promise<string[]> {
  const form = page.getByRole("search", { name: "Contact search" });
  const lines = form.locator('[role="alert"], [role="status"]');
  const texts: string[] = [];
  for (const line of await lines.all()) {
    const text = ((await line.isVisible()) ? await line.innerText() : "").trim();
    if (text) texts.push(text);
  }
  return texts;
}

/** `asker` asks `username` over the gateway; the browser user accepts on their page. */
async function becomeContacts(page: Page, asker: { sessionToken: string }, askerUsername: string, username: string): Promise<void> {
  await createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: asker.sessionToken }).contacts.request.mutate({ username });
  await page.reload();
  await page.getByRole("button", { name: `Accept @${askerUsername}` }).click();
}

describe("the PWA tells the truth", () => {
  it("says things once, in words, with no console error; the search clears; the cursor lands in the composer; 'Connected' hides the node", async () => {
    const page = await suite.newPage();
    const errors = consoleErrors(page);
    // Signed out: the session probe on "/" sends you to /login without a red line in the console.
    await page.goto(`${suite.stack.baseUrl}/`);
    await page.waitForURL(`${suite.stack.baseUrl}/login`);
    await page.waitForFunction(() => (window as unknown as { next?: { appDir?: boolean } }).next?.appDir === true); // hydrated
    await page.getByLabel("Username").fill("hana");
    expect(errors).toEqual([]);

    await suite.register(page, "hana", "Hana Sato");
    // People see "Connected"; which node is a detail, one click away for operators.
    const banner = page.locator('[data-connection="connected"]');
    await banner.waitFor(WAIT);
    expect(await banner.getByRole("status").innerText()).toBe("Connected");
    expect(await banner.innerText()).not.toMatch(/web-node/);
    await banner.getByRole("button", { name: "Connection details" }).click();
    const details = page.getByTestId("connection-details");
    await expect.poll(() => details.innerText(), WAIT).toMatch(/web-node-\d/);
    expect(suite.stack.nodeIds).toContain(await banner.getAttribute("data-node-id"));
    expect(await seriousAxeViolations(page)).toEqual([]);

    // An unknown username, then yourself: one message each (not a search status and an error).
    const field = page.getByLabel("Add contact");
    const add = page.getByRole("button", { name: "Add", exact: true });
    await field.fill("nobody_here");
    await expect.poll(() => page.getByTestId("search-status").innerText(), WAIT).toMatch(/No one found/);
    await add.click();
    await expect.poll(() => formMessages(page), WAIT).toEqual(["No user named “nobody_here”."]);
    await field.fill("hana");
    await expect.poll(() => page.getByTestId("search-status").innerText(), WAIT).toMatch(/No one found/);
    await add.click();
    await expect.poll(() => formMessages(page), WAIT).toEqual(["You cannot add yourself."]);

    // Added from the results: the request is sent and the search is cleared.
    const ivo = await suite.registerOverHttp("ivo", "Ivo Berg");
    await field.fill("Ivo");
    await page.getByRole("button", { name: "Add Ivo Berg (@ivo)" }).click();
    await expect.poll(() => formMessages(page), WAIT).toEqual(["Request sent to @ivo."]);
    expect(await field.inputValue()).toBe("");
    expect(await page.getByTestId("search-result").count()).toBe(0);

    // Opening a chat puts the cursor in the composer.
    await createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: ivo.sessionToken })
      .contacts.requests.query()
      .then(async ({ incoming }) => createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: ivo.sessionToken }).contacts.accept.mutate({ requestId: incoming[0]!.id }));
    await page.reload();
    await page.getByTestId("conversation").filter({ hasText: "Ivo Berg" }).click();
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLTextAreaElement | null)?.placeholder ?? null), WAIT).toBe("Write a message…");
    await page.keyboard.type("Typed right after opening.");
    await page.keyboard.press("Enter");
    await expect.poll(() => lastMessage(page, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered|read)$/);

    // Links: http(s) only, in a new tab with no opener or referrer; javascript: stays text.
    await page.keyboard.type("Docs at https://example.com/docs?x=1. Not javascript:alert(1) nor www.example.org");
    await page.keyboard.press("Enter");
    const bubble = lastMessage(page, true);
    await expect.poll(() => bubble.innerText(), WAIT).toContain("nor www.example.org");
    const anchors = await bubble.locator("a").evaluateAll((els) => els.map((a) => ({ href: a.getAttribute("href"), target: a.getAttribute("target"), rel: a.getAttribute("rel"), text: a.textContent })));
    expect(anchors).toEqual([{ href: "https://example.com/docs?x=1", target: "_blank", rel: "noopener noreferrer", text: "https://example.com/docs?x=1" }]);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Refused inputs (404 unknown user, 400 yourself) and the signed-out probe: no console error.
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);

  it("believes the browser's offline event: 'offline' at once, a message written offline waits as 'Sending…' and goes out once", async () => {
    const jo = await suite.newPage({ width: 390, colorScheme: "dark" });
    await suite.register(jo, "joan", "Joan Kim");
    const kai = await suite.registerOverHttp("kai", "Kai Ito");
    await becomeContacts(jo, kai, "kai", "joan");
    await jo.getByTestId("conversation").filter({ hasText: "Kai Ito" }).click();
    const composer = jo.getByRole("textbox", { name: "Message" });
    await jo.locator('[data-connection="connected"]').waitFor(WAIT);
    // Phone, dark: the banner with its details open passes axe too.
    await jo.getByRole("button", { name: "Connection details" }).click();
    await jo.getByTestId("connection-details").waitFor(WAIT);
    expect(await seriousAxeViolations(jo)).toEqual([]);
    await jo.getByRole("button", { name: "Connection details" }).click();

    // A dead Wi-Fi link: the socket looks open, but the browser says it is offline.
    await jo.context().setOffline(true);
    const banner = jo.locator("[data-connection]");
    await expect.poll(() => banner.getAttribute("data-offline"), { timeout: 3_000 }).toBe("true");
    expect(await banner.getAttribute("data-connection")).not.toBe("connected");
    const line = "Written with the network gone.";
    await composer.fill(line);
    await composer.press("Enter");
    await expect.poll(() => lastMessage(jo, true).getAttribute("data-state"), WAIT).toBe("sending");
    // Longer than the ACK clock (4 s, one re-send, 4 s): still queued, never "Failed".
    await jo.waitForTimeout(12_000);
    expect(await lastMessage(jo, true).getAttribute("data-state")).toBe("sending");
    const text = await jo.locator("body").innerText();
    expect(text).not.toMatch(/Failed|gateway unreachable|Failed to fetch|TypeError/);
    expect(await seriousAxeViolations(jo)).toEqual([]);

    // The network returns: the message goes out by itself, once.
    await jo.context().setOffline(false);
    await jo.locator('[data-connection="connected"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => lastMessage(jo, true).getAttribute("data-state"), { timeout: 30_000 }).toMatch(/^(sent|delivered)$/);
    const prisma = createPrisma(suite.stack.database.url);
    try {
      expect(await prisma.message.count({ where: { body: line } })).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
    expect(await jo.getByTestId("message").filter({ hasText: line }).count()).toBe(1);
    await jo.context().close();
  }, 180_000);
});
