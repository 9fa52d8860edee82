/**
 * Issue 15, the rest: link previews (fetched by the gateway, here from a loopback page through
 * the tests-only allow list), and item 11, the emoji picker. Opened from the composer (or "More reactions…" in a
 * message's menu), driven by the keyboard (search, arrows, Enter, Escape gives the focus back)
 * or by a tap on a phone, in both themes, axe-clean; it inserts at the caret; and its data comes
 * from the app itself, so it works offline even when it was never opened online.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { focused, lastMessage, seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 1, webEnv: { DIM_LINK_PREVIEW_ALLOW_CIDRS: "127.0.0.1/32" } });

/** The site links point to: a loopback page with Open Graph tags, counting its requests. */
let site: Server;
let siteUrl = "";
const siteHits: string[] = [];
beforeAll(async () => {
  site = createServer((req, res) => {
    siteHits.push(req.url ?? "");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
      `<!doctype html><html><head><title>fallback</title><meta property="og:title" content="Tea in ${req.url}"><meta property="og:description" content="A short description of green tea, 绿茶 and more."><meta property="og:site_name" content="Tea Site"></head><body></body></html>`,
    );
  });
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterAll(async () => {
  site?.closeAllConnections();
  if (site) await new Promise((r) => site.close(r));
});

/** Registers `username` in the page and a contact over HTTP, and opens their conversation. */
async function openChatWithContact(page: Page, username: string, contact: string): Promise<void> {
  await suite.register(page, username, username.toUpperCase());
  const other = await suite.registerOverHttp(contact, `${contact} contact`);
  await createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: other.sessionToken }).contacts.request.mutate({ username });
  await page.reload();
  await page.getByRole("button", { name: `Accept @${contact}` }).click();
  await page.getByTestId("conversation").filter({ hasText: `${contact} contact` }).click();
  await page.locator('[data-connection="connected"]').waitFor(WAIT);
}

/** The picker's emoji buttons (not the hidden row it measures sizes with). */
const options = (picker: Locator) => picker.locator('[role="row"] [data-testid="emoji-option"]');
const composerValue = (page: Page) => page.locator("form textarea").last().inputValue();
const caret = (page: Page) => page.evaluate(() => (document.activeElement as HTMLTextAreaElement).selectionStart);

describe("the emoji picker", () => {
  it("keyboard: opens from the composer, searches, moves with arrows, inserts at the caret with Enter; Escape gives the focus back; both themes axe-clean", async () => {
    const page = await suite.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await openChatWithContact(page, "emma", "eli");
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.fill("Hi there");
    await composer.press("Home");
    await composer.press("ArrowRight");
    await composer.press("ArrowRight"); // caret after "Hi"

    // Open with the keyboard: the search takes the focus.
    await page.getByRole("button", { name: "Insert emoji" }).focus();
    await page.keyboard.press("Enter");
    const picker = page.getByRole("dialog", { name: "Emoji" });
    await picker.waitFor(WAIT);
    expect(await focused(page)).toBe("Search emoji");
    await options(picker).first().waitFor(WAIT); // data loaded
    expect(await seriousAxeViolations(page)).toEqual([]);
    await switchTheme(page, "dark");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await docScreenshot(page, "emoji-picker-dark");
    await switchTheme(page, "light");

    // Search, then Enter picks the first match, at the caret; the caret stays after it.
    await page.keyboard.type("thumbs up");
    await expect.poll(() => picker.locator("[data-active]").getAttribute("aria-label"), WAIT).toBe("Thumbs up");
    const thumbs = await picker.locator("[data-active]").innerText();
    expect(thumbs.startsWith("👍")).toBe(true); // with or without its variation selector
    await page.keyboard.press("Enter");
    await expect.poll(() => picker.isVisible()).toBe(false);
    expect(await composerValue(page)).toBe(`Hi${thumbs} there`);
    expect(await focused(page, "placeholder")).toBe("Write a message…");
    expect(await caret(page)).toBe(`Hi${thumbs}`.length);

    // Arrows move through the grid: Enter picks the one moved to.
    await page.getByRole("button", { name: "Insert emoji" }).click();
    await picker.waitFor(WAIT);
    await page.keyboard.type("heart");
    // The results of the whole query (not of "hea…" still being filtered) hold the active emoji.
    const active = picker.locator("[data-active]");
    await expect.poll(async () => ((await active.count()) === 1 ? await active.getAttribute("aria-label") : null), WAIT).toMatch(/heart/i);
    const first = await active.innerText();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => active.innerText(), WAIT).not.toBe(first);
    const second = await active.innerText();
    await page.keyboard.press("Enter");
    expect(await composerValue(page)).toBe(`Hi${thumbs}${second} there`);

    // Escape closes it and gives the focus back to the button.
    await page.getByRole("button", { name: "Insert emoji" }).click();
    await picker.waitFor(WAIT);
    await page.keyboard.press("Escape");
    await expect.poll(() => picker.isVisible()).toBe(false);
    expect(await focused(page)).toBe("Insert emoji");
    expect(await composerValue(page)).toBe(`Hi${thumbs}${second} there`);

    await composer.press("Enter");
    await expect.poll(() => lastMessage(page, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered|read)$/);
    expect(await lastMessage(page, true).innerText()).toContain(`Hi${thumbs}${second} there`);

    // "More reactions…" in a message's menu: the same picker, the pick is a reaction.
    await lastMessage(page, true).hover();
    await lastMessage(page, true).getByTestId("message-actions").click();
    await page.getByTestId("more-reactions").click();
    const more = page.getByRole("dialog", { name: "More reactions" });
    await more.waitFor(WAIT);
    expect(await focused(page)).toBe("Search emoji");
    await page.keyboard.type("pineapple");
    await expect.poll(() => more.locator("[data-active]").getAttribute("aria-label"), WAIT).toBe("Pineapple");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press("Enter");
    await expect.poll(() => lastMessage(page, true).getByTestId("reaction").getAttribute("data-emoji"), WAIT).toBe("🍍");

    // Every emoji byte came from the app's own origin: no CDN.
    const foreign = requests.filter((u) => !u.startsWith(suite.stack.baseUrl) && !u.startsWith("ws") && !u.startsWith("data:") && !u.startsWith("blob:"));
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests.some((u) => u.startsWith(`${suite.stack.baseUrl}/emojibase/en/data.json`))).toBe(true);
    await page.context().close();
  }, 240_000);

  it("offline from the start (never opened online), on a phone in the dark theme: a tap inserts", async () => {
    const page = await suite.newPage({ width: 390, colorScheme: "dark" });
    await openChatWithContact(page, "omar", "ola");
    // The service worker has installed (and precached the emoji data with the shell).
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), WAIT).toBe(true);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.context().setOffline(true);
    await expect.poll(() => page.locator("[data-connection]").getAttribute("data-offline"), WAIT).toBe("true");

    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.fill("offline ");
    await page.getByRole("button", { name: "Insert emoji" }).click();
    const picker = page.getByRole("dialog", { name: "Emoji" });
    await picker.waitFor(WAIT);
    const box = await picker.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    const option = options(picker).first();
    await option.waitFor(WAIT);
    const emoji = await option.innerText();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await option.click();
    await expect.poll(() => picker.isVisible()).toBe(false);
    expect(await composerValue(page)).toBe(`offline ${emoji}`);

    // Still offline, in Chinese: the picker speaks it, with emojibase's Chinese names (also precached).
    // (Settings → Language keeps the choice here; on a phone the open chat covers the sidebar.)
    await page.evaluate(() => localStorage.setItem("dim-locale", "zh-CN"));
    await page.reload(); // served by the service worker
    await page.getByTestId("conversation").filter({ hasText: "ola contact" }).click();
    await page.getByRole("textbox", { name: "消息" }).fill("");
    await page.getByRole("button", { name: "插入表情" }).click();
    const zh = page.getByRole("dialog", { name: "表情" });
    await options(zh).first().waitFor(WAIT);
    expect(await focused(page)).toBe("搜索表情");
    await page.keyboard.type("菠萝");
    await expect.poll(() => zh.locator("[data-active]").innerText(), WAIT).toBe("🍍");
    await page.keyboard.press("Enter");
    expect(await composerValue(page)).toBe(`🍍`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.context().close();
  }, 240_000);
});

describe("link previews", () => {
  it("a card under the bubble, fetched by the server once (not by the browser), opening in a new tab; axe-clean in both themes; a setting turns them off", async () => {
    const page = await suite.newPage();
    const browserRequests: string[] = [];
    page.on("request", (r) => browserRequests.push(r.url()));
    await openChatWithContact(page, "pita", "paul");
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.fill(`Read ${siteUrl}/green-tea, it is good`);
    await composer.press("Enter");
    const bubble = lastMessage(page, true);
    const card = bubble.getByTestId("link-preview");
    await card.waitFor(WAIT);
    expect(await card.innerText()).toContain("Tea in /green-tea");
    expect(await card.innerText()).toContain("A short description of green tea, 绿茶 and more.");
    expect(await card.innerText()).toContain("Tea Site");
    expect(await card.getAttribute("href")).toBe(`${siteUrl}/green-tea`);
    expect(await card.getAttribute("target")).toBe("_blank");
    expect(await card.getAttribute("rel")).toBe("noopener noreferrer");
    expect(siteHits.filter((u) => u === "/green-tea")).toHaveLength(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await switchTheme(page, "dark");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await docScreenshot(page, "link-preview-dark");
    await switchTheme(page, "light");

    // A reload asks again and the gateway answers from its cache: the site is not asked twice.
    await page.reload();
    await page.getByTestId("conversation").filter({ hasText: "paul contact" }).click();
    await lastMessage(page, true).getByTestId("link-preview").waitFor(WAIT);
    expect(siteHits.filter((u) => u === "/green-tea")).toHaveLength(1);
    // The browser itself never went to the site.
    expect(browserRequests.filter((u) => u.startsWith(siteUrl))).toEqual([]);

    // Settings → "Show link previews" off: the card goes, and a new link is not fetched at all.
    await page.getByTestId("open-settings").click();
    const setting = page.getByRole("checkbox", { name: /Show link previews/ });
    expect(await setting.isChecked()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await setting.uncheck();
    const asksBefore = browserRequests.filter((u) => u.includes("conversations.linkPreview")).length;
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByTestId("link-preview").count(), WAIT).toBe(0);
    await composer.fill(`And ${siteUrl}/black-tea too`);
    await composer.press("Enter");
    await expect.poll(() => lastMessage(page, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered|read)$/);
    // The bubble has rendered and run its effects (two frames): it asked nothing.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(browserRequests.filter((u) => u.includes("conversations.linkPreview")).length).toBe(asksBefore);
    expect(siteHits.filter((u) => u === "/black-tea")).toEqual([]);
    expect(await page.getByTestId("link-preview").count()).toBe(0);
    await page.context().close();
  }, 240_000);
});
