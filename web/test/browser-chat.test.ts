/**
 * End to end in a real browser against the production build: the gateway mounted in Next.js,
 * two real core node processes and PostgreSQL. Two people register, become contacts and chat
 * until their messages show "Read"; login errors are shown typed; screenshots are saved.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./helpers/browser";
import { SCREENSHOT_DIR } from "./helpers/paths";
import { startStack, type Stack } from "./helpers/stack";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ nodes: 2 });
  browser = await launchChromium();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
}, 20 * 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

const PASSWORD = "correct horse battery";
const WAIT = { timeout: 20_000 };

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

async function register(page: Page, username: string, displayName: string): Promise<void> {
  await page.goto(`${stack.baseUrl}/register`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Display name (optional)").fill(displayName);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${stack.baseUrl}/`);
}

/** The node id the connection banner names once connected. */
async function connectedNode(page: Page): Promise<string> {
  const banner = page.locator('[data-connection="connected"]');
  await banner.waitFor(WAIT);
  const text = (await banner.textContent()) ?? "";
  return text.replace(/^.*Connected to\s+/, "").trim();
}

function lastMessage(page: Page, own: boolean) {
  return page.locator(`[data-testid="message"][data-own="${own}"]`).last();
}

describe("the PWA in a browser", () => {
  it("serves the gateway at /api/trpc with typed errors, and security headers on pages", async () => {
    const me = await fetch(`${stack.baseUrl}/api/trpc/auth.me`);
    expect(me.status).toBe(401);
    const body = (await me.json()) as { error: { data: { appCode: string } } };
    expect(body.error.data.appCode).toBe("UNAUTHORIZED");

    const page = await fetch(`${stack.baseUrl}/login`);
    expect(page.status).toBe(200);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src [^;]*ws:/);
    expect(page.headers.get("x-powered-by")).toBeNull();
  });

  it("two people on two core nodes register, become contacts and chat until 'Read'", async () => {
    const alice = await newPage();
    // Without a session, the main page sends you to /login.
    await alice.goto(`${stack.baseUrl}/`);
    await alice.waitForURL(`${stack.baseUrl}/login`);
    await alice.getByRole("button", { name: "Sign in" }).waitFor();
    await alice.screenshot({ path: join(SCREENSHOT_DIR, "login.png") });

    await register(alice, "alice", "Alice Martin");
    const aliceNode = await connectedNode(alice);
    const bob = await newPage();
    await register(bob, "bob", "Bob Chen");
    const bobNode = await connectedNode(bob);
    expect(stack.nodeIds).toContain(aliceNode);
    expect(stack.nodeIds).toContain(bobNode);
    // Round-robin assignment: the two people are on different nodes, so messages cross the bus.
    expect(aliceNode).not.toBe(bobNode);

    // Bob asks Alice; she accepts.
    await bob.getByLabel("Add contact").fill("alice");
    await bob.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => bob.getByText("Request sent to @alice.").isVisible(), WAIT).toBe(true);
    await bob.getByTestId("outgoing-request").waitFor();
    await alice.reload();
    await alice.getByRole("button", { name: "Accept @bob" }).click();
    await alice.getByTestId("conversation").filter({ hasText: "Bob Chen" }).click();
    await expect.poll(() => alice.getByTestId("chat-title").textContent(), WAIT).toBe("Bob Chen");

    // Alice writes; Enter sends.
    const composerA = alice.getByRole("textbox", { name: "Message" });
    await composerA.fill("Hi Bob! Did you get my request?");
    await composerA.press("Enter");
    await expect.poll(() => lastMessage(alice, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered)$/);

    // Bob sees the conversation (new contact found by polling) with one unread message.
    const bobConv = bob.getByTestId("conversation").filter({ hasText: "Alice Martin" });
    await bobConv.waitFor({ timeout: 30_000 });
    await expect.poll(() => bobConv.getByTestId("unread-count").textContent(), WAIT).toContain("1");
    await expect.poll(() => lastMessage(alice, true).getAttribute("data-state"), WAIT).toBe("delivered");
    await bobConv.click();
    await expect.poll(() => lastMessage(bob, false).textContent(), WAIT).toContain("Hi Bob!");
    // Bob has it on screen: Alice sees "Read".
    await expect.poll(() => lastMessage(alice, true).getAttribute("data-state"), WAIT).toBe("read");
    await expect.poll(() => bobConv.getByTestId("unread-count").count(), WAIT).toBe(0);

    // Bob answers on two lines (Shift+Enter) and then once more.
    const composerB = bob.getByRole("textbox", { name: "Message" });
    await composerB.fill("Yes! Welcome to DIM.");
    await composerB.press("Shift+Enter");
    await composerB.pressSequentially("Messages here go sent → delivered → read.");
    await composerB.press("Enter");
    await expect.poll(() => lastMessage(alice, false).textContent(), WAIT).toContain("go sent → delivered → read.");
    expect(await lastMessage(alice, false).locator("div").first().innerText()).toContain("Welcome to DIM.\nMessages");
    await expect.poll(() => lastMessage(bob, true).getAttribute("data-state"), WAIT).toBe("read");
    await composerA.fill("Great, talk soon!");
    await composerA.press("Enter");
    await expect.poll(() => lastMessage(alice, true).getAttribute("data-state"), WAIT).toBe("read");

    // Every message shown once, in order, on both sides.
    const bodies = async (page: Page) => page.getByTestId("message").locator("div.rounded-2xl").allInnerTexts();
    const expected = ["Hi Bob! Did you get my request?", "Yes! Welcome to DIM.\nMessages here go sent → delivered → read.", "Great, talk soon!"];
    await expect.poll(() => bodies(alice), WAIT).toEqual(expected);
    await expect.poll(() => bodies(bob), WAIT).toEqual(expected);
    // Bob's accepted request left "Requests" and Alice is among his contacts.
    await expect.poll(() => bob.getByTestId("outgoing-request").count(), WAIT).toBe(0);
    await bob.getByRole("button", { name: "Chat with Alice Martin (@alice)" }).waitFor();
    await alice.screenshot({ path: join(SCREENSHOT_DIR, "chat-alice.png") });
    await bob.screenshot({ path: join(SCREENSHOT_DIR, "chat-bob.png") });

    // Phone-sized: the open chat takes the whole screen (with a way back).
    await alice.setViewportSize({ width: 390, height: 720 });
    await alice.getByRole("button", { name: "Back to conversations" }).waitFor();
    await alice.screenshot({ path: join(SCREENSHOT_DIR, "chat-phone.png") });
    await alice.setViewportSize({ width: 1100, height: 720 });

    // Alice's node freezes (SIGSTOP): no server ACK, one re-send, then "Failed" with Retry.
    const frozen = stack.processes.find((p) => p.label === aliceNode)!;
    frozen.child.kill("SIGSTOP");
    try {
      await composerA.fill("Are you still there?");
      await composerA.press("Enter");
      await expect.poll(() => lastMessage(alice, true).getAttribute("data-state"), { timeout: 30_000 }).toBe("failed");
      await lastMessage(alice, true).getByRole("button", { name: "Retry" }).waitFor();
      await alice.screenshot({ path: join(SCREENSHOT_DIR, "chat-failed.png") });
    } finally {
      frozen.child.kill("SIGCONT");
    }
    // Retry (the node may also have answered the buffered sends on waking): stored and shown once.
    const retry = lastMessage(alice, true).getByRole("button", { name: "Retry" });
    if (await retry.isVisible()) await retry.click();
    await expect.poll(() => lastMessage(alice, true).getAttribute("data-state"), { timeout: 60_000 }).toBe("read");
    expected.push("Are you still there?");
    await expect.poll(() => bodies(alice), WAIT).toEqual(expected);
    await expect.poll(() => bodies(bob), WAIT).toEqual(expected);

    // Log out; a wrong password gets the typed error; the right one brings the history back.
    await alice.getByRole("button", { name: "Log out" }).click();
    await alice.waitForURL(`${stack.baseUrl}/login`);
    await alice.getByLabel("Username").fill("alice");
    await alice.getByLabel("Password").fill("wrong password!");
    await alice.getByRole("button", { name: "Sign in" }).click();
    const error = alice.locator('[data-error-code="INVALID_CREDENTIALS"]');
    await error.waitFor();
    expect(await error.textContent()).toBe("Wrong username or password.");
    await alice.getByLabel("Password").fill(PASSWORD);
    await alice.getByRole("button", { name: "Sign in" }).click();
    await alice.waitForURL(`${stack.baseUrl}/`);
    await alice.getByTestId("conversation").filter({ hasText: "Bob Chen" }).click();
    await expect.poll(() => bodies(alice), WAIT).toEqual(expected);
    await expect.poll(() => lastMessage(alice, true).getAttribute("data-state"), WAIT).toBe("read");

    // kill -9 the node Bob is on: within seconds he is on the other node, and the chat goes on.
    const crashed = await connectedNode(bob);
    stack.processes.find((p) => p.label === crashed)!.child.kill("SIGKILL");
    await expect
      .poll(async () => ((await bob.locator('[data-connection="connected"]').textContent()) ?? "").replace(/^.*Connected to\s+/, ""), { timeout: 60_000 })
      .toMatch(new RegExp(`^(?!${crashed}$)web-node-\\d+$`));
    const composerB2 = bob.getByRole("textbox", { name: "Message" });
    await composerB2.fill("Still here after a crash.");
    await composerB2.press("Enter");
    await expect.poll(() => lastMessage(bob, true).getAttribute("data-state"), { timeout: 60_000 }).toBe("read");
    expected.push("Still here after a crash.");
    await expect.poll(() => bodies(alice), WAIT).toEqual(expected);
    await expect.poll(() => bodies(bob), WAIT).toEqual(expected);
  }, 240_000);

  it("shows USERNAME_TAKEN on the field and RATE_LIMITED with the time to wait", async () => {
    const page = await newPage();
    await register(page, "carol", "Carol");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(`${stack.baseUrl}/login`);

    await page.goto(`${stack.baseUrl}/register`);
    await page.getByLabel("Username").fill("carol");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Confirm password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("This username is taken.").waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, "register-taken.png") });

    // Use up carol's login attempts (10 per window by default) over HTTP, then try in the page.
    for (let i = 0; i < 12; i++) {
      await fetch(`${stack.baseUrl}/api/trpc/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "carol", password: `wrong-${i}-password` }),
      });
    }
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByLabel("Username").fill("carol");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const limited = page.locator('[role="alert"]').filter({ has: page.locator('[data-error-code="RATE_LIMITED"]') });
    await limited.waitFor();
    expect(await limited.textContent()).toMatch(/Too many attempts\. Try again in \d+ s\./);
    expect(await page.getByRole("button", { name: "Sign in" }).isDisabled()).toBe(true);
  });
});
