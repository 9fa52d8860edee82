/**
 * What people do inside a conversation, end to end in a real browser against the production build
 * (gateway in Next.js, two real core node processes, PostgreSQL): two people on two nodes see each
 * other online and typing, reply (the quote scrolls to the quoted message), edit, react, delete
 * for everyone (a tombstone for both) and delete for me (gone only for the one who did), see
 * "last seen" once the other leaves, and set "hide my last seen". axe in both themes, phone and
 * desktop widths.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { axeBothThemes, connectedNode, seriousAxeViolations, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 2 });
const { newPage, registerOverHttp, login } = suite;

function message(page: Page, text: string) {
  return page.getByTestId("message").filter({ hasText: text });
}

/** Opens a message's menu by its "Message actions" button and picks an item. */
async function act(page: Page, text: string, item: string | RegExp) {
  const m = message(page, text).last();
  await m.hover();
  await m.getByRole("button", { name: "Message actions" }).click();
  await page.getByRole("menu", { name: "Message actions" }).getByRole("menuitem", { name: item }).click();
}

describe("message events, typing and presence in the PWA", () => {
  it("two people on two nodes: online, typing, reply, edit, reaction, delete for everyone and for me, last seen", async () => {
    await registerOverHttp("ana", "Ana Lima");
    const ben = await registerOverHttp("ben", "Ben Ortiz");
    const benGateway = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: ben.sessionToken });
    await benGateway.contacts.request.mutate({ username: "ana" });

    const a = await newPage(); // desktop width
    const b = await newPage({ width: 390 }); // phone width
    await login(a, "ana");
    await a.getByRole("button", { name: "Accept @ben" }).click();
    await login(b, "ben");
    expect(new Set([await connectedNode(a), await connectedNode(b)]).size).toBe(2);

    // Online: Ana's contact list and the chat header say so.
    const benContact = a.getByTestId("contact").filter({ hasText: "Ben Ortiz" });
    await expect.poll(() => benContact.getByTestId("contact-presence").textContent(), WAIT).toBe("online");
    await a.getByTestId("conversation").filter({ hasText: "Ben Ortiz" }).click();
    await expect.poll(() => a.getByTestId("chat-subtitle").getAttribute("data-presence"), WAIT).toBe("online");
    await b.getByTestId("conversation").filter({ hasText: "Ana Lima" }).click();
    await expect.poll(() => b.getByTestId("chat-subtitle").getAttribute("data-presence"), WAIT).toBe("online");

    // Typing: Ben sees it while Ana writes; it goes when she sends.
    const composerA = a.getByRole("textbox", { name: "Message" });
    const composerB = b.getByRole("textbox", { name: "Message" });
    await composerA.pressSequentially("Where do we meet?");
    await expect.poll(() => b.getByTestId("typing").textContent(), WAIT).toBe("Ana Lima is typing…");
    await composerA.press("Enter");
    await expect.poll(() => b.getByTestId("typing").textContent(), WAIT).toBe("");
    await message(b, "Where do we meet?").waitFor(WAIT);
    // Enough messages after it that the quoted one scrolls out of view.
    for (let i = 1; i <= 14; i++) {
      await composerA.fill(`Filler line ${i}`);
      await composerA.press("Enter");
    }
    await message(b, "Filler line 14").waitFor(WAIT);

    // Reply: Ben quotes Ana's question; both see the quote; Ana's click scrolls to it and focuses it.
    await act(b, "Where do we meet?", "Reply");
    await expect.poll(() => b.getByTestId("composer-mode").textContent(), WAIT).toContain("Replying to Ana Lima");
    await composerB.fill("At the station, 9:00");
    await composerB.press("Enter");
    await expect.poll(() => b.getByTestId("composer-mode").count(), WAIT).toBe(0);
    const replyA = message(a, "At the station, 9:00");
    await expect.poll(() => replyA.getByTestId("reply-quote").textContent(), WAIT).toContain("Where do we meet?");
    // (The reply holds the quoted text too: the quoted message is the first match.)
    const quotedSeq = await message(a, "Where do we meet?").first().getAttribute("data-seq");
    expect(quotedSeq).toMatch(/^\d+$/);
    const inView = (page: Page, seq: string | null) =>
      page.evaluate((s) => {
        const el = document.querySelector(`[data-testid='message'][data-seq='${s}']`)!;
        const box = el.getBoundingClientRect();
        const scroller = document.querySelector("[data-testid='message-scroller']")!.getBoundingClientRect();
        return box.top >= scroller.top && box.bottom <= scroller.bottom;
      }, seq);
    expect(await inView(a, quotedSeq)).toBe(false);
    await replyA.getByTestId("reply-quote").click();
    await expect.poll(() => inView(a, quotedSeq), WAIT).toBe(true);
    await expect.poll(() => a.evaluate(() => document.activeElement?.getAttribute("data-seq")), WAIT).toBe(quotedSeq);
    await docScreenshot(a, "message-reply");

    // Edit by keyboard: Up in the empty composer edits Ana's last message; Enter saves.
    await composerA.focus();
    await composerA.press("ArrowUp");
    await expect.poll(() => composerA.inputValue(), WAIT).toBe("Filler line 14");
    await expect.poll(() => a.getByTestId("composer-mode").textContent(), WAIT).toContain("Editing message");
    await composerA.fill("Filler line 14, corrected");
    await composerA.press("Enter");
    const editedB = message(b, "Filler line 14, corrected");
    await editedB.getByTestId("edited").waitFor(WAIT);
    expect(await message(b, "Filler line 14").count()).toBe(1); // the same message, not a new one
    // Esc leaves edit mode and empties the box.
    await composerA.press("ArrowUp");
    await expect.poll(() => composerA.inputValue(), WAIT).toBe("Filler line 14, corrected");
    await composerA.press("Escape");
    await expect.poll(() => composerA.inputValue(), WAIT).toBe("");

    // Reaction: Ben reacts; Ana sees the count and who; Ben's is pressed; clicking it again removes it.
    await act(b, "Filler line 13", "React with 👍");
    const reactionA = message(a, "Filler line 13").getByTestId("reaction");
    await expect.poll(() => reactionA.getByTestId("reaction-count").textContent(), WAIT).toBe("1");
    expect(await reactionA.getAttribute("title")).toBe("Ben Ortiz");
    expect(await reactionA.getAttribute("aria-pressed")).toBe("false");
    const reactionB = message(b, "Filler line 13").getByTestId("reaction");
    await expect.poll(() => reactionB.getAttribute("aria-pressed"), WAIT).toBe("true");
    await act(a, "Filler line 13", "React with 👍");
    await expect.poll(() => reactionB.getByTestId("reaction-count").textContent(), WAIT).toBe("2");
    await expect.poll(() => reactionB.getAttribute("title"), WAIT).toBe("You and Ana Lima");
    await reactionB.click(); // toggles mine off
    await expect.poll(() => reactionA.getByTestId("reaction-count").textContent(), WAIT).toBe("1");
    await expect.poll(() => reactionA.getAttribute("aria-pressed"), WAIT).toBe("true");

    // Delete for everyone (asked twice): both see the tombstone, with no text left.
    await act(a, "Filler line 12", "Delete for everyone…");
    await a.getByRole("menu", { name: "Message actions" }).getByRole("menuitem", { name: "Delete", exact: true }).click();
    await expect.poll(() => b.getByTestId("tombstone").count(), WAIT).toBe(1);
    await expect.poll(() => a.getByTestId("tombstone").count(), WAIT).toBe(1);
    expect(await message(b, "Filler line 12").count()).toBe(0);
    // A tombstone offers only "Delete for me".
    const tomb = b.locator("[data-testid='message'][data-deleted='true']");
    await tomb.getByRole("button", { name: "Message actions" }).click();
    expect(await b.getByRole("menu", { name: "Message actions" }).getByRole("menuitem").allInnerTexts()).toEqual(["Delete for me"]);
    await b.keyboard.press("Escape");
    await expect.poll(() => b.getByRole("menu").count(), WAIT).toBe(0);

    // Delete for me: gone for Ben, still there for Ana.
    await act(b, "Filler line 11", "Delete for me");
    await expect.poll(() => message(b, "Filler line 11").count(), WAIT).toBe(0);
    await a.waitForTimeout(500); // a `hidden` for Ana would have come by now (it does not exist)
    expect(await message(a, "Filler line 11").count()).toBe(1);

    // The menu by keyboard and by context menu; axe with reply bar, menu and reactions on screen.
    await act(a, "Filler line 10", "Reply");
    await expect.poll(() => a.getByTestId("composer-mode").textContent(), WAIT).toContain("Replying to yourself");
    await composerA.press("Escape");
    await expect.poll(() => a.getByTestId("composer-mode").count(), WAIT).toBe(0);
    await message(a, "Filler line 13").click({ button: "right" });
    await expect.poll(() => a.evaluate(() => document.activeElement?.getAttribute("role")), WAIT).toBe("menuitem");
    await a.keyboard.press("ArrowDown");
    expect(await a.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("React with ❤️");
    await docScreenshot(a, "message-menu");
    expect(await axeBothThemes(a)).toEqual([]);
    await a.keyboard.press("Escape");
    expect(await a.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Message actions");
    await act(b, "Filler line 10", "Reply");
    await docScreenshot(b, "message-events-phone");
    expect(await axeBothThemes(b)).toEqual([]);

    // Last seen: Ben leaves; Ana sees "last seen just now" (coalesced push, ≤ a second or so).
    await b.context().close();
    await expect.poll(() => a.getByTestId("chat-subtitle").getAttribute("data-presence"), WAIT).toBe("last seen just now");
    await expect.poll(() => benContact.getByTestId("contact-presence").textContent(), WAIT).toBe("last seen just now");

    // Hide my last seen: stored (privacy.get says so after a reload).
    const toggle = a.getByTestId("hide-last-seen");
    await expect.poll(() => toggle.isEnabled(), WAIT).toBe(true);
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click(); // (not check(): the box turns checked when the gateway has answered)
    await expect.poll(() => toggle.isChecked(), WAIT).toBe(true);
    await a.reload();
    await expect.poll(() => a.getByTestId("hide-last-seen").isEnabled(), WAIT).toBe(true);
    expect(await a.getByTestId("hide-last-seen").isChecked()).toBe(true);
    // Now Ana sees nobody's last seen either: Ben's contact row shows nothing.
    await expect.poll(() => a.getByTestId("contact").filter({ hasText: "Ben Ortiz" }).getByTestId("contact-presence").count(), WAIT).toBe(0);
  }, 240_000);
});
