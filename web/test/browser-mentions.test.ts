/**
 * Mentions and the message log's density, end to end in a real browser against the production
 * build (gateway in Next.js, two real core node processes, PostgreSQL): in a group of three on
 * two nodes, `@` in the composer opens the members' autocomplete (filtered as one types, arrows
 * and Enter, a click, Escape; `@all` offered to the owner only), the sent text mentions who it
 * names, the mentioned person's conversation list shows "@" until the message is read, and the
 * bubble marks the mention (mine more strongly); runs of one sender's messages show the name
 * once, the time on the last and the state on my newest message only, the time of the others
 * still reachable. Phone and desktop widths, both themes, axe clean.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { axeBothThemes, befriendOverHttp, connectedNode, seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 2 });
const { newPage, registerOverHttp, login } = suite;

function groupRow(page: Page, title: string) {
  return page.locator('[data-testid="conversation"][data-kind="group"]').filter({ hasText: title });
}

describe("mentions and density in the PWA", () => {
  it("three people on two nodes: autocomplete, highlight, the @ marker; runs of one sender", async () => {
    const ana = await registerOverHttp("ana", "Ana Lima");
    const ben = await registerOverHttp("ben", "Ben Ortiz");
    const cy = await registerOverHttp("cyd", "Cy Young");
    await befriendOverHttp(suite.stack.baseUrl, ana, [{ ...ben, username: "ben" }, { ...cy, username: "cyd" }]);
    const anaGateway = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: ana.sessionToken });
    await anaGateway.groups.create.mutate({ title: "Trip to Lisbon", memberIds: [ben.user.id, cy.user.id] });

    const a = await newPage(); // desktop, light
    const b = await newPage(); // desktop
    const c = await newPage({ width: 390, colorScheme: "dark" }); // phone, dark
    await login(a, "ana");
    await login(b, "ben");
    await login(c, "cyd");
    expect(new Set([await connectedNode(a), await connectedNode(b), await connectedNode(c)]).size).toBe(2);

    // Ana and Cy look elsewhere (their direct chats), so the group's messages stay unread.
    await a.locator('[data-testid="conversation"][data-kind="direct"]').filter({ hasText: "Ben Ortiz" }).click();
    await c.locator('[data-testid="conversation"][data-kind="direct"]').filter({ hasText: "Ana Lima" }).click();
    await c.getByTestId("chat-title").waitFor(WAIT);

    // Ben opens the group and writes a run of messages (one sender, within minutes).
    await groupRow(b, "Trip to Lisbon").click();
    const composerB = b.getByRole("textbox", { name: "Message" });
    for (const text of ["Morning!", "I looked at flights", "Friday 9:40 is cheapest"]) {
      await composerB.fill(text);
      await composerB.press("Enter");
    }

    // `@` opens the members (me left out), arrows move, Enter picks.
    await composerB.pressSequentially("Ok with you @");
    const picker = b.getByTestId("mention-picker");
    await picker.waitFor(WAIT);
    await expect.poll(() => picker.getByTestId("mention-option").evaluateAll((els) => els.map((e) => e.getAttribute("data-username"))), WAIT).toEqual([
      "ana",
      "cyd",
    ]);
    expect(await b.getByTestId("mention-option").filter({ hasText: "@all" }).count()).toBe(0); // a plain member
    await composerB.press("ArrowDown");
    expect(await picker.getByRole("option", { selected: true }).getAttribute("data-username")).toBe("cyd");
    expect(await composerB.getAttribute("aria-activedescendant")).toBe(await picker.getByRole("option", { selected: true }).getAttribute("id"));
    await composerB.press("ArrowUp");
    expect(await seriousAxeViolations(b)).toEqual([]);
    await composerB.press("Enter");
    await expect.poll(() => composerB.inputValue(), WAIT).toBe("Ok with you @ana ");
    expect(await picker.count()).toBe(0);
    // Filtered as one types (a display-name word counts); a click picks.
    await composerB.pressSequentially("and @you");
    await expect.poll(() => b.getByTestId("mention-option").count(), WAIT).toBe(1);
    await b.getByTestId("mention-option").click();
    await expect.poll(() => composerB.inputValue(), WAIT).toBe("Ok with you @ana and @cyd ");
    // Escape closes the list and leaves the text; Tab then moves on as usual.
    await composerB.pressSequentially("?");
    await composerB.press("Enter");
    const sent = b.getByTestId("message").filter({ hasText: "Ok with you" });
    await sent.waitFor(WAIT);
    await expect.poll(() => composerB.inputValue(), WAIT).toBe("");
    await composerB.pressSequentially("@a");
    await picker.waitFor(WAIT);
    await composerB.press("Escape");
    expect(await picker.count()).toBe(0);
    await expect.poll(() => composerB.inputValue()).toBe("@a");
    await composerB.fill("");

    // Ben's own bubble marks both names; the run shows its state once (his newest message).
    expect(await sent.getByTestId("mention").allInnerTexts()).toEqual(["@ana", "@cyd"]);
    await expect.poll(() => b.locator('[data-testid="message"][data-own="true"] [data-state]:not([data-state=""])').count(), WAIT).toBe(1);

    // Ana: the "@" marker on the group until she reads it; her name marked strongly in the bubble.
    const rowA = groupRow(a, "Trip to Lisbon");
    await expect.poll(() => rowA.getByTestId("mention-marker").count(), WAIT).toBe(1);
    expect(await rowA.getByTestId("mention-marker").textContent()).toContain("You were mentioned");
    // Cy, on the phone, sees it too.
    await c.getByRole("button", { name: /back/i }).click();
    const rowC = groupRow(c, "Trip to Lisbon");
    await expect.poll(() => rowC.getByTestId("mention-marker").count(), WAIT).toBe(1);
    expect(await axeBothThemes(a)).toEqual([]);
    await rowA.click();
    const mentionedA = a.getByTestId("message").filter({ hasText: "Ok with you" });
    await expect.poll(() => mentionedA.getAttribute("data-mentions-me"), WAIT).toBe("true");
    expect(await mentionedA.locator('[data-testid="mention"][data-me="true"]').allInnerTexts()).toEqual(["@ana"]);
    expect(await mentionedA.locator('[data-testid="mention"]:not([data-me])').allInnerTexts()).toEqual(["@cyd"]);
    await expect.poll(() => rowA.getByTestId("mention-marker").count(), WAIT).toBe(0); // read: cleared

    // The owner may mention everyone: "@all" is offered to Ana.
    const composerA = a.getByRole("textbox", { name: "Message" });
    await composerA.pressSequentially("@al");
    await expect.poll(() => a.getByTestId("mention-option").first().getAttribute("data-username"), WAIT).toBe("all");
    await composerA.press("Tab");
    await composerA.pressSequentially("dinner at 8 at Ben's choice");
    await composerA.press("Enter");
    for (const text of ["I'll book", "See you there"]) {
      await composerA.fill(text);
      await composerA.press("Enter");
    }
    await a.getByTestId("message").filter({ hasText: "See you there" }).waitFor(WAIT);
    // Density: Ben's four messages are one run: his name and avatar once, the time on the last.
    const benRun = a.locator('[data-testid="message"][data-own="false"]');
    expect(await benRun.count()).toBe(4);
    expect(await a.getByTestId("sender-name").count()).toBe(1);
    const visibleTimes = await benRun.evaluateAll((els) =>
      els.map((e) => {
        const t = e.querySelector<HTMLElement>("[data-testid='message-time']");
        const box = t?.getBoundingClientRect();
        return box !== undefined && box.width > 1 && box.height > 1;
      }),
    );
    expect(visibleTimes).toEqual([false, false, false, true]);
    // Each message keeps its time: a tooltip on the bubble, and shown when the keyboard is in it.
    const firstOfRun = benRun.first();
    expect(await firstOfRun.locator("[title]").first().getAttribute("title")).toMatch(/\d/);
    await firstOfRun.hover();
    await firstOfRun.getByRole("button", { name: "Message actions" }).focus();
    await expect.poll(() => firstOfRun.getByTestId("message-time").evaluate((t) => t.getBoundingClientRect().width > 1 && t.getBoundingClientRect().height > 1), WAIT).toBe(true);
    await composerA.focus();

    // Ana's run: the state on her newest message only.
    await expect.poll(() => a.locator('[data-testid="message"][data-own="true"] [data-state]').count(), WAIT).toBe(1);
    await docScreenshot(a, "density-desktop-light");

    // Cy (phone, dark): two mentions (his name, then @all); the bubble of @all marked as his.
    await expect.poll(() => rowC.getByTestId("mention-marker").count(), WAIT).toBe(1);
    await rowC.click();
    const allC = c.getByTestId("message").filter({ hasText: "dinner at 8" });
    await expect.poll(() => allC.getAttribute("data-mentions-me"), WAIT).toBe("true");
    expect(await allC.locator('[data-testid="mention"][data-me="true"]').allInnerTexts()).toEqual(["@all"]);
    expect(await axeBothThemes(c)).toEqual([]);
    await switchTheme(c, "dark");
    await docScreenshot(c, "density-phone-dark");

    // The picker on the phone, and its picture.
    const composerC = c.getByRole("textbox", { name: "Message" });
    await composerC.pressSequentially("@b");
    await c.getByTestId("mention-picker").waitFor(WAIT);
    await c.getByTestId("mention-option").first().tap().catch(() => c.getByTestId("mention-option").first().click());
    await expect.poll(() => composerC.inputValue(), WAIT).toBe("@ben ");
    await composerB.pressSequentially("Cy @");
    await b.getByTestId("mention-picker").waitFor(WAIT);
    await docScreenshot(b, "mention-picker");
  }, 240_000);
});
