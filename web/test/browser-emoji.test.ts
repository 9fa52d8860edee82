/**
 * Issue 15 item 11: the emoji picker. Opened from the composer (or "More reactions…" in a
 * message's menu), driven by the keyboard (search, arrows, Enter, Escape gives the focus back)
 * or by a tap on a phone, in both themes, axe-clean; it inserts at the caret; and its data comes
 * from the app itself, so it works offline even when it was never opened online.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { focused, lastMessage, seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 1 });

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

const composerValue = (page: Page) => page.getByRole("textbox", { name: "Message" }).inputValue();
const caret = (page: Page) => page.evaluate(() => (document.activeElement as HTMLTextAreaElement).selectionStart);

describe("the emoji picker", () => {
  it("keyboard: opens from the composer, searches, moves with arrows, inserts at the caret with Enter; Escape gives the focus back; both themes axe-clean", async () => {
    const page = await suite.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
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
    await picker.getByTestId("emoji-option").first().waitFor(WAIT); // data loaded
    expect(await seriousAxeViolations(page)).toEqual([]);
    await switchTheme(page, "dark");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await docScreenshot(page, "emoji-picker-dark");
    await switchTheme(page, "light");

    // Search, then Enter picks the first match, at the caret; the caret stays after it.
    await page.keyboard.type("thumbs up");
    await expect.poll(() => picker.locator("[data-active]").getAttribute("aria-label"), WAIT).toBe("Thumbs up");
    await page.keyboard.press("Enter");
    await expect.poll(() => picker.isVisible()).toBe(false);
    expect(await composerValue(page)).toBe("Hi👍 there");
    expect(await focused(page, "placeholder")).toBe("Write a message…");
    expect(await caret(page)).toBe("Hi👍".length);

    // Arrows move through the grid: Enter picks the one moved to.
    await page.getByRole("button", { name: "Insert emoji" }).click();
    await picker.waitFor(WAIT);
    await page.keyboard.type("heart");
    await expect.poll(() => picker.locator("[data-active]").count(), WAIT).toBe(1);
    const first = await picker.locator("[data-active]").innerText();
    await page.keyboard.press("ArrowRight");
    const second = await picker.locator("[data-active]").innerText();
    expect(second).not.toBe(first);
    await page.keyboard.press("Enter");
    expect(await composerValue(page)).toBe(`Hi👍${second} there`);

    // Escape closes it and gives the focus back to the button.
    await page.getByRole("button", { name: "Insert emoji" }).click();
    await picker.waitFor(WAIT);
    await page.keyboard.press("Escape");
    await expect.poll(() => picker.isVisible()).toBe(false);
    expect(await focused(page)).toBe("Insert emoji");
    expect(await composerValue(page)).toBe(`Hi👍${second} there`);

    await composer.press("Enter");
    await expect.poll(() => lastMessage(page, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered|read)$/);
    expect(await lastMessage(page, true).innerText()).toContain(`Hi👍${second} there`);

    // "More reactions…" in a message's menu: the same picker, the pick is a reaction.
    await lastMessage(page, true).hover();
    await lastMessage(page, true).getByTestId("message-actions").click();
    await page.getByTestId("more-reactions").click();
    const more = page.getByRole("dialog", { name: "More reactions" });
    await more.waitFor(WAIT);
    expect(await focused(page)).toBe("Search emoji");
    await page.keyboard.type("rocket");
    await expect.poll(() => more.locator("[data-active]").getAttribute("aria-label"), WAIT).toBe("Rocket");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press("Enter");
    await expect.poll(() => lastMessage(page, true).getByTestId("reaction").getAttribute("data-emoji"), WAIT).toBe("🚀");

    // Every emoji byte came from the app's own origin: no CDN.
    const foreign = requests.filter((u) => !u.startsWith(suite.stack.baseUrl) && !u.startsWith("ws") && !u.startsWith("data:") && !u.startsWith("blob:"));
    expect(foreign).toEqual([]);
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
    const option = picker.getByTestId("emoji-option").first();
    await option.waitFor(WAIT);
    const emoji = await option.innerText();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await option.click();
    await expect.poll(() => picker.isVisible()).toBe(false);
    expect(await composerValue(page)).toBe(`offline ${emoji}`);
    await page.context().close();
  }, 240_000);
});
