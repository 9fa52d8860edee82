/**
 * Contacts in a real browser against the production build (gateway in Next.js, two core node
 * processes, PostgreSQL): a contact request arrives live (no reload, no polling) and so does its
 * accept; Alice blocks Bob from the chat header (confirmed first) — Bob's message fails —, finds
 * him under Settings → Blocked users and unblocks him there, and his next message arrives; then
 * she removes him from her contact list's menu, by keyboard, and both see the conversation
 * read-only; blocked again, his new contact request is refused (FORBIDDEN). Every new screen is axe-clean in
 * both themes, at desktop and phone width.
 */
import { describe, expect, it } from "vitest";
import { connectedNode, lastMessage, seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 2 });
const { newPage, register } = suite;

async function axeBothThemes(page: Parameters<typeof seriousAxeViolations>[0]): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  await switchTheme(page, "dark");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await switchTheme(page, "light");
}

describe("contacts in the PWA", () => {
  it("a request arrives live; block, refused, unblock in Settings; remove: read-only on both sides", async () => {
    const alice = await newPage();
    await register(alice, "cora", "Cora Alves");
    await connectedNode(alice);
    const bob = await newPage({ width: 390, height: 844 });
    await register(bob, "dario", "Dario Rossi");
    await connectedNode(bob);

    // Bob asks; Cora's sidebar shows it at once, without a reload.
    await bob.getByLabel("Add contact").fill("cora");
    await bob.getByRole("button", { name: "Add", exact: true }).click();
    await alice.getByRole("button", { name: "Accept @dario" }).click(WAIT);
    // ...and Bob's side learns of the accept the same way: the conversation appears.
    const bobConv = bob.getByTestId("conversation").filter({ hasText: "Cora Alves" });
    await bobConv.waitFor(WAIT);
    await bobConv.click();
    const bobComposer = bob.getByRole("textbox", { name: "Message" });
    await bobComposer.fill("Hello Cora");
    await bobComposer.press("Enter");
    await alice.getByTestId("conversation").filter({ hasText: "Dario Rossi" }).click();
    await expect.poll(() => lastMessage(alice, false).textContent(), WAIT).toContain("Hello Cora");

    // Cora blocks Dario from the chat header, by keyboard, confirming first.
    const menu = alice.getByTestId("chat-view").getByTestId("contact-actions");
    await menu.focus();
    await alice.keyboard.press("Enter");
    const dialog = alice.getByTestId("contact-actions-dialog");
    await dialog.getByTestId("contact-block").waitFor();
    await axeBothThemes(alice);
    await dialog.getByTestId("contact-block").click();
    await dialog.getByRole("heading", { name: "Block Dario Rossi?" }).waitFor();
    expect(await seriousAxeViolations(alice)).toEqual([]);
    await dialog.getByTestId("contact-confirm").click();
    const notice = alice.getByTestId("read-only");
    await expect.poll(() => notice.getAttribute("data-reason"), WAIT).toBe("blocked");
    expect(await notice.textContent()).toContain("You blocked Dario Rossi");
    expect(await alice.getByRole("textbox", { name: "Message" }).count()).toBe(0);
    await axeBothThemes(alice);
    await docScreenshot(alice, "contacts-blocked-desktop");

    // Dario is told nothing; his message fails.
    expect(await bob.getByTestId("read-only").count()).toBe(0);
    await bobComposer.fill("Are you there?");
    await bobComposer.press("Enter");
    await expect.poll(() => lastMessage(bob, true).locator("[data-state]").getAttribute("data-state"), WAIT).toBe("failed");
    // Settings → Blocked users lists him; unblock there.
    await alice.getByTestId("open-settings").click();
    const settings = alice.getByTestId("settings-dialog");
    const blocked = settings.getByTestId("blocked-user");
    await expect.poll(() => blocked.count(), WAIT).toBe(1);
    expect(await blocked.textContent()).toContain("Dario Rossi");
    await blocked.scrollIntoViewIfNeeded();
    await axeBothThemes(alice);
    await settings.getByRole("button", { name: "Unblock Dario Rossi (@dario)" }).click();
    await expect.poll(() => blocked.count(), WAIT).toBe(0);
    await alice.keyboard.press("Escape");
    await alice.getByRole("textbox", { name: "Message" }).waitFor(WAIT);

    // Unblocked: his next message arrives.
    await bobComposer.fill("Back again");
    await bobComposer.press("Enter");
    await expect.poll(() => lastMessage(alice, false).textContent(), WAIT).toContain("Back again");

    // Cora removes him from her contact list's menu: both sides read-only, live.
    const row = alice.getByTestId("contact").filter({ hasText: "Dario Rossi" });
    await row.getByTestId("contact-actions").focus();
    await alice.keyboard.press("Enter");
    await dialog.getByTestId("contact-remove").click();
    await dialog.getByRole("heading", { name: "Remove Dario Rossi from your contacts?" }).waitFor();
    await dialog.getByTestId("contact-confirm").click();
    await expect.poll(() => notice.getAttribute("data-reason"), WAIT).toBe("removed");
    const bobNotice = bob.getByTestId("read-only");
    await expect.poll(() => bobNotice.getAttribute("data-reason"), WAIT).toBe("removed");
    expect(await bobNotice.textContent()).toContain("no longer contacts");
    // the history stays readable
    await expect.poll(() => bob.getByTestId("message").count(), WAIT).toBeGreaterThanOrEqual(2);
    await axeBothThemes(bob);
    await docScreenshot(bob, "contacts-removed-phone");

    // No longer contacts, Cora blocks him from the conversation's header: his new contact request
    // is refused (FORBIDDEN, as for a disabled account) and nothing reaches her.
    await menu.click();
    await dialog.getByTestId("contact-block").click();
    await dialog.getByTestId("contact-confirm").click();
    await expect.poll(() => notice.getAttribute("data-reason"), WAIT).toBe("blocked");
    const refused = await bob.evaluate(async () => {
      const res = await fetch("/api/trpc/contacts.request", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "cora" }) });
      return { status: res.status, body: (await res.json()) as { error: { data: { appCode: string } } } };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.data.appCode).toBe("FORBIDDEN");
    await alice.waitForTimeout(500);
    expect(await alice.getByRole("button", { name: "Accept @dario" }).count()).toBe(0);
  });
});
