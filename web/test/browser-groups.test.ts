/**
 * Group chat end to end in a real browser against the production build (gateway in Next.js, two
 * real core node processes, PostgreSQL): three people, a group made by one of them appearing for
 * the others without a reload, "read by k of n", the readers list by keyboard, the member panel,
 * and a removed member who sees its removal, loses the composer and gets nothing after it.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { befriendOverHttp, connectedNode, focused, lastMessage, seriousAxeViolations, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 2 });
const { newPage, registerOverHttp, login } = suite;

function groupRow(page: Page, title: string) {
  return page.locator('[data-testid="conversation"][data-kind="group"]').filter({ hasText: title });
}

function bodies(page: Page): Promise<string[]> {
  return page.getByTestId("message").locator("div.rounded-2xl").allInnerTexts();
}

describe("group chat in the PWA", () => {
  it("three people on two nodes: create, chat to 'read by 2 of 2', manage members, remove one", async () => {
    // Ana knows Ben and Cy (requests accepted over the gateway: contacts are not what is tested here).
    const ana = await registerOverHttp("ana", "Ana Lima");
    const ben = await registerOverHttp("ben", "Ben Ortiz");
    const cy = await registerOverHttp("cyd", "Cy Young");
    await befriendOverHttp(suite.stack.baseUrl, ana, [{ ...ben, username: "ben" }, { ...cy, username: "cyd" }]);

    const a = await newPage();
    const b = await newPage();
    const c = await newPage({ colorScheme: "dark" });
    await login(a, "ana");
    await login(b, "ben");
    await login(c, "cyd");
    const nodes = new Set([await connectedNode(a), await connectedNode(b), await connectedNode(c)]);
    // Round-robin over two nodes: the group's messages cross the bus.
    expect(nodes.size).toBe(2);
    // Nobody is in a group yet (the list has loaded: the direct conversations show).
    await a.getByTestId("conversation").first().waitFor();
    await b.getByTestId("conversation").first().waitFor();
    await c.getByTestId("conversation").first().waitFor();
    expect(await groupRow(b, "Trip to Lisbon").count()).toBe(0);

    // Ana creates the group: a name, and contacts picked from a filtered list.
    await a.getByTestId("new-group").click();
    const dialog = a.getByTestId("new-group-dialog");
    await dialog.getByRole("heading", { name: "New group" }).waitFor();
    // Typed error, in words, once: no name.
    await dialog.getByRole("button", { name: "Create group" }).click();
    await expect.poll(() => dialog.getByText("Give the group a name.").count(), WAIT).toBe(1);
    await dialog.getByLabel("Group name").fill("Trip to Lisbon");
    await dialog.getByLabel("Filter contacts").fill("ort");
    await expect.poll(() => dialog.getByTestId("pick-person").count(), WAIT).toBe(1);
    await dialog.getByRole("checkbox", { name: /Ben Ortiz/ }).check();
    await dialog.getByLabel("Filter contacts").fill("");
    await dialog.getByRole("checkbox", { name: /Cy Young/ }).check();
    expect(await seriousAxeViolations(a)).toEqual([]);
    await dialog.getByRole("button", { name: "Create group" }).click();
    await expect.poll(() => a.getByTestId("chat-title").textContent(), WAIT).toBe("Trip to Lisbon");
    await expect.poll(() => a.getByTestId("chat-subtitle").textContent(), WAIT).toBe("3 members");
    await a.getByTestId("system-message").filter({ hasText: "You created the group “Trip to Lisbon”" }).waitFor();

    // Ben and Cy see it appear without a reload (pushed: the list no longer polls), unread.
    for (const page of [b, c]) {
      const row = groupRow(page, "Trip to Lisbon");
      await row.waitFor(WAIT);
      await expect.poll(() => row.textContent(), WAIT).toContain("Ana Lima created the group “Trip to Lisbon”");
      await expect.poll(() => row.getByTestId("unread-count").textContent(), WAIT).toContain("1");
    }

    // Ben opens it; Ana writes: delivered to both, read by Ben (who has it open), then by Cy too.
    await groupRow(b, "Trip to Lisbon").click();
    await b.getByTestId("system-message").filter({ hasText: "Ana Lima created the group “Trip to Lisbon”" }).waitFor();
    const composerA = a.getByRole("textbox", { name: "Message" });
    await composerA.fill("Hello both! Flights on Friday?");
    await composerA.press("Enter");
    const receiptsA = lastMessage(a, true).getByTestId("receipts");
    await expect.poll(() => receiptsA.textContent(), WAIT).toBe("Read by 1 of 2");
    await expect.poll(() => lastMessage(a, true).getAttribute("data-state"), WAIT).toBe("delivered");
    await expect.poll(() => lastMessage(b, false).textContent(), WAIT).toContain("Flights on Friday?");
    await expect.poll(() => lastMessage(b, false).getByTestId("sender-name").count(), WAIT).toBe(1);
    // Cy's list previews it with the sender's name.
    await expect.poll(() => groupRow(c, "Trip to Lisbon").textContent(), WAIT).toContain("Ana Lima: Hello both!");
    await groupRow(c, "Trip to Lisbon").click();
    await expect.poll(() => receiptsA.textContent(), WAIT).toBe("Read by 2 of 2");
    await expect.poll(() => lastMessage(a, true).getAttribute("data-state"), WAIT).toBe("read");

    // Ben answers: Ana sees his name and avatar on it.
    const composerB = b.getByRole("textbox", { name: "Message" });
    await composerB.fill("Friday works for me.");
    await composerB.press("Enter");
    await expect.poll(() => lastMessage(a, false).getByTestId("sender-name").textContent(), WAIT).toBe("Ben Ortiz");
    await expect.poll(() => bodies(c), WAIT).toEqual(["Hello both! Flights on Friday?", "Friday works for me."]);

    // The readers list opens by keyboard (Enter on the focused receipt) and closes with Escape.
    await receiptsA.focus();
    await a.keyboard.press("Enter");
    const readers = a.getByTestId("readers-dialog");
    await expect.poll(() => readers.getByTestId("reader").evaluateAll((els) => els.map((e) => e.getAttribute("data-username"))), WAIT).toEqual(["ben", "cyd"]);
    await readers.getByText("2 of 2 have read this message").waitFor();
    expect(await seriousAxeViolations(a)).toEqual([]);
    await a.keyboard.press("Escape");
    await expect.poll(() => readers.isVisible(), WAIT).toBe(false);
    expect(await focused(a, "data-testid")).toBe("receipts");

    expect(await seriousAxeViolations(a)).toEqual([]);
    await docScreenshot(a, "group-chat-desktop-light");
    expect(await seriousAxeViolations(c)).toEqual([]);

    // The member panel, on a phone in the dark theme: roles, and the owner's actions.
    await a.setViewportSize({ width: 390, height: 760 });
    await a.emulateMedia({ colorScheme: "dark" });
    await a.getByTestId("group-header").click();
    const panel = a.getByTestId("member-panel");
    // Members who joined together are listed by user id (random): compare as a set.
    await expect.poll(() => panel.getByTestId("member").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-username")}:${e.getAttribute("data-role")}`).sort()), WAIT).toEqual([
      "ana:owner",
      "ben:member",
      "cyd:member",
    ]);
    await panel.getByTestId("member").filter({ hasText: "Ben Ortiz" }).getByRole("button", { name: "Make admin" }).click();
    await expect.poll(() => panel.getByTestId("member").filter({ hasText: "Ben Ortiz" }).getAttribute("data-role"), WAIT).toBe("admin");
    await b.getByTestId("system-message").filter({ hasText: "Ana Lima made you an admin" }).waitFor();
    // The owner cannot leave while others remain: the server's refusal, in words.
    await panel.getByRole("button", { name: "Leave group" }).click();
    await panel.getByRole("alertdialog").getByRole("button", { name: "Leave" }).click();
    await panel.getByText("You are the owner: make someone else the owner before you leave.").waitFor();
    expect(await seriousAxeViolations(a)).toEqual([]);
    await docScreenshot(a, "group-members-phone-dark");

    // Ana removes Cy (confirmed first).
    await panel.getByRole("button", { name: "Remove Cy Young" }).click();
    await panel.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => panel.getByTestId("member").count(), WAIT).toBe(2);
    await a.keyboard.press("Escape");
    await a.setViewportSize({ width: 1100, height: 720 });
    await a.emulateMedia({ colorScheme: "light" });
    await expect.poll(() => a.getByTestId("chat-subtitle").textContent(), WAIT).toBe("2 members");
    await a.getByTestId("system-message").filter({ hasText: "You removed Cy Young" }).waitFor();

    // Cy sees the removal inline; the composer is replaced by a sentence; the list marks the group.
    await c.getByTestId("system-message").filter({ hasText: "You were removed by Ana Lima" }).waitFor();
    await c.getByTestId("read-only").waitFor();
    expect(await c.getByRole("textbox", { name: "Message" }).count()).toBe(0);
    await expect.poll(() => groupRow(c, "Trip to Lisbon").getAttribute("data-membership"), WAIT).toBe("removed");
    await groupRow(c, "Trip to Lisbon").getByTestId("former-group").waitFor();
    expect(await seriousAxeViolations(c)).toEqual([]);
    await docScreenshot(c, "group-removed-desktop-dark");

    // What Ana sends now reaches Ben, and never Cy.
    await composerA.fill("Just the two of us now.");
    await composerA.press("Enter");
    await expect.poll(() => lastMessage(b, false).textContent(), WAIT).toContain("Just the two of us now.");
    await expect.poll(() => lastMessage(a, true).getByTestId("receipts").textContent(), WAIT).toBe("Read by 1 of 1");
    // Ben's reply has travelled too; by then anything for Cy would have as well.
    await composerB.fill("Cy is out.");
    await composerB.press("Enter");
    await expect.poll(() => lastMessage(a, false).textContent(), WAIT).toContain("Cy is out.");
    expect(await c.getByText("Just the two of us now.").count()).toBe(0);
    expect(await c.getByText("Cy is out.").count()).toBe(0);
    // History up to the removal is still there for Cy, also after a reload.
    await c.reload();
    await groupRow(c, "Trip to Lisbon").click();
    await expect.poll(() => bodies(c), WAIT).toEqual(["Hello both! Flights on Friday?", "Friday works for me."]);
    await c.getByTestId("read-only").waitFor();
    expect(await c.getByText("Just the two of us now.").count()).toBe(0);
    // Three browsers and axe runs on two cores: far beyond the default 30 s when another browser test runs beside it.
  }, 240_000);
});
