/**
 * End to end in a real browser against the production build: the gateway mounted in Next.js,
 * two real core node processes and PostgreSQL. Two people register, become contacts and chat
 * until their messages show "Read"; login errors are shown typed; screenshots are saved.
 */
import { createPrisma } from "@dim/db";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { expectNoncedPage, scriptSources } from "./helpers/csp";
import { SCREENSHOT_DIR } from "./helpers/paths";
import { connectedNode, focused, lastMessage, PASSWORD, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";

const suite = usePwaSuite({ nodes: 2 });
const { newPage, register, registerOverHttp } = suite;

describe("the PWA in a browser", () => {
  it("serves the gateway at /api/trpc with typed errors, and security headers on pages", async () => {
    const me = await fetch(`${suite.stack.baseUrl}/api/trpc/auth.me`);
    expect(me.status).toBe(401);
    const body = (await me.json()) as { error: { data: { appCode: string } } };
    expect(body.error.data.appCode).toBe("UNAUTHORIZED");

    const page = await fetch(`${suite.stack.baseUrl}/login`);
    expect(page.status).toBe(200);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src [^;]*ws:/);
    expect(page.headers.get("x-powered-by")).toBeNull();
  });

  it("answers CORS preflights through the Next.js route: allowed origins get the headers, others 403", async () => {
    const preflight = (origin: string) =>
      fetch(`${suite.stack.baseUrl}/api/trpc/auth.login`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization" },
      });
    const allowed = await preflight("http://localhost:3000"); // in the default DIM_ALLOWED_ORIGINS, not the test's own origin
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    expect(allowed.headers.get("access-control-allow-methods")).toContain("POST");
    expect(allowed.headers.get("access-control-allow-headers")).toContain("authorization");
    const denied = await preflight("http://evil.example");
    expect(denied.status).toBe(403);
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("sends a strict CSP: a fresh nonce on every page load and on every script, nothing inline, no violation", async () => {
    const load = async (path: string) => {
      const res = await fetch(`${suite.stack.baseUrl}${path}`);
      return { status: res.status, csp: res.headers.get("content-security-policy"), html: await res.text() };
    };
    const chunks = new Set<string>();
    for (const path of ["/", "/login", "/register", "/no-such-page"]) {
      const [first, second] = [await load(path), await load(path)];
      expect(first.status, path).toBe(path === "/no-such-page" ? 404 : 200);
      expect(expectNoncedPage(first.csp, first.html)).not.toBe(expectNoncedPage(second.csp, second.html));
      expect(first.csp).toMatch(/connect-src 'self' ws: wss:/);
      expect(first.csp).toContain("frame-ancestors 'none'");
      for (const match of first.html.matchAll(/\/_next\/static\/[^"'\s]+\.js/g)) chunks.add(match[0]);
    }
    // What the middleware skips gets one policy too, allowing same-origin scripts only.
    const chunk = [...chunks][0];
    expect(chunk).toBeDefined();
    for (const path of ["/sw.js", "/manifest.webmanifest", "/icons/icon.svg", "/api/trpc/auth.me", chunk!]) {
      const csp = (await fetch(`${suite.stack.baseUrl}${path}`)).headers.get("content-security-policy") ?? "";
      expect(scriptSources(csp), path).toEqual([["'self'"]]);
      expect(csp, path).toContain("frame-ancestors 'none'");
    }
    // In the browser the pages hydrate and the inline theme script runs (dark before React);
    // afterEach fails the test on any CSP violation.
    const page = await newPage({ colorScheme: "dark", serviceWorkers: "block" });
    const seen = new Set<string>();
    for (const path of ["/login", "/register", "/login"]) {
      const response = await page.goto(`${suite.stack.baseUrl}${path}`);
      const nonce = /'nonce-([^']+)'/.exec((await response!.headerValue("content-security-policy")) ?? "")?.[1];
      expect(nonce).toBeDefined();
      seen.add(nonce!);
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
      expect(await page.evaluate(() => [...document.scripts].filter((s) => !s.src).map((s) => s.nonce))).toEqual(expect.arrayContaining([nonce]));
      await page.waitForFunction(() => (window as unknown as { next?: { appDir?: boolean } }).next?.appDir === true);
    }
    expect(seen.size).toBe(3);
    await page.getByLabel("Username").fill("nobody-here");
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Sign in" }).click();
    // Hydrated: the form answers with the typed error (client code, over the gateway).
    await page.locator('[data-error-code="INVALID_CREDENTIALS"]').waitFor();
    await page.context().close();
  });

  it("is installable: a valid manifest with loading icons, and a service worker that controls the page", async () => {
    const res = await fetch(`${suite.stack.baseUrl}/manifest.webmanifest`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("manifest+json");
    const manifest = (await res.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      theme_color: string;
      background_color: string;
      icons: { src: string; sizes: string; type: string; purpose: string }[];
    };
    expect(manifest).toMatchObject({ short_name: "DIM", start_url: "/", display: "standalone" });
    expect(manifest.name).toContain("DIM");
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    // Installability needs PNG icons of 192 and 512 px; a maskable one serves Android's shapes.
    for (const [size, purpose] of [[192, "any"], [512, "any"], [192, "maskable"], [512, "maskable"]] as const) {
      const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}` && i.purpose === purpose && i.type === "image/png");
      expect(icon, `${size} ${purpose}`).toBeDefined();
      const png = Buffer.from(await (await fetch(`${suite.stack.baseUrl}${icon!.src}`)).arrayBuffer());
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      // IHDR: width and height at bytes 16 and 20.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    // The page links the manifest, and the service worker never caches the gateway.
    const page = await newPage();
    await page.goto(`${suite.stack.baseUrl}/login`);
    expect(await page.locator('link[rel="manifest"]').getAttribute("href")).toBe("/manifest.webmanifest");
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${suite.stack.baseUrl}/`);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null), WAIT).toBe(`${suite.stack.baseUrl}/sw.js`);
    const cached = await page.evaluate(async () => {
      const keys: string[] = [];
      for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) keys.push(new URL(r.url).pathname);
      return keys;
    });
    expect(cached).toEqual(expect.arrayContaining(["/", "/login", "/manifest.webmanifest"]));
    expect(cached.some((k) => k.startsWith("/_next/static/"))).toBe(true);
    expect(cached.some((k) => k.startsWith("/api/"))).toBe(false);
    // Each cached page keeps its own response's headers: the nonce of its CSP is the one on
    // its scripts, so the shell still runs offline.
    const shell = await page.evaluate(async () => {
      const pages: { path: string; csp: string | null; html: string }[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const path of ["/", "/login", "/register"]) {
          const response = await cache.match(path);
          if (response) pages.push({ path, csp: response.headers.get("content-security-policy"), html: await response.text() });
        }
      }
      return pages;
    });
    expect(shell.map((p) => p.path)).toEqual(["/", "/login", "/register"]);
    expect(new Set(shell.map((p) => expectNoncedPage(p.csp, p.html))).size).toBe(3);
    await page.context().close();
  });

  it("two people on two core nodes register, become contacts and chat until 'Read'", async () => {
    const alice = await newPage();
    // Without a session, the main page sends you to /login.
    await alice.goto(`${suite.stack.baseUrl}/`);
    await alice.waitForURL(`${suite.stack.baseUrl}/login`);
    await alice.getByRole("button", { name: "Sign in" }).waitFor();
    await alice.screenshot({ path: join(SCREENSHOT_DIR, "login.png") });

    await register(alice, "alice", "Alice Martin");
    const aliceNode = await connectedNode(alice);
    const bob = await newPage();
    await register(bob, "bob", "Bob Chen");
    const bobNode = await connectedNode(bob);
    expect(suite.stack.nodeIds).toContain(aliceNode);
    expect(suite.stack.nodeIds).toContain(bobNode);
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
    await bob.getByRole("button", { name: /^Chat with Alice Martin/ }).waitFor();
    await alice.screenshot({ path: join(SCREENSHOT_DIR, "chat-alice.png") });
    await bob.screenshot({ path: join(SCREENSHOT_DIR, "chat-bob.png") });

    // Phone-sized: the open chat takes the whole screen (with a way back).
    await alice.setViewportSize({ width: 390, height: 720 });
    await alice.getByRole("button", { name: "Back to conversations" }).waitFor();
    await alice.screenshot({ path: join(SCREENSHOT_DIR, "chat-phone.png") });
    await alice.setViewportSize({ width: 1100, height: 720 });

    // Alice's node freezes (SIGSTOP): nothing refused the send, so it never shows "Failed"; the
    // reply probe finds the link dead within seconds, the client leaves for the other node and the
    // message it kept "sending" goes out there: delivered, read, shown once (protocol §11).
    const frozen = suite.stack.processes.find((p) => p.label === aliceNode)!;
    frozen.child.kill("SIGSTOP");
    try {
      await composerA.fill("Are you still there?");
      await composerA.press("Enter");
      const seen = new Set<string>();
      await expect
        .poll(async () => {
          const state = (await lastMessage(alice, true).getAttribute("data-state", { timeout: 1_000 }).catch(() => null)) ?? "";
          seen.add(state);
          return (await lastMessage(alice, true).textContent()) ?? "";
        }, { timeout: 60_000 })
        .toContain("Are you still there?");
      await expect
        .poll(async () => {
          const state = (await lastMessage(alice, true).getAttribute("data-state", { timeout: 1_000 }).catch(() => null)) ?? "";
          seen.add(state);
          return state;
        }, { timeout: 60_000, interval: 200 })
        .toBe("read");
      expect(seen.has("failed")).toBe(false);
      expect(await alice.locator('[data-connection="connected"]').getAttribute("data-node-id")).not.toBe(aliceNode);
      expect(await lastMessage(alice, true).getByRole("button", { name: "Retry" }).count()).toBe(0);
      await alice.screenshot({ path: join(SCREENSHOT_DIR, "chat-after-freeze.png") });
    } finally {
      frozen.child.kill("SIGCONT");
    }
    expected.push("Are you still there?");
    await expect.poll(() => bodies(alice), WAIT).toEqual(expected);
    await expect.poll(() => bodies(bob), WAIT).toEqual(expected);

    // Log out; a wrong password gets the typed error; the right one brings the history back.
    await alice.getByRole("button", { name: "Log out" }).click();
    await alice.waitForURL(`${suite.stack.baseUrl}/login`);
    await alice.getByLabel("Username").fill("alice");
    await alice.getByLabel("Password").fill("wrong password!");
    await alice.getByRole("button", { name: "Sign in" }).click();
    const error = alice.locator('[data-error-code="INVALID_CREDENTIALS"]');
    await error.waitFor();
    expect(await error.textContent()).toBe("Wrong username or password.");
    await alice.getByLabel("Password").fill(PASSWORD);
    await alice.getByRole("button", { name: "Sign in" }).click();
    await alice.waitForURL(`${suite.stack.baseUrl}/`);
    await alice.getByTestId("conversation").filter({ hasText: "Bob Chen" }).click();
    await expect.poll(() => bodies(alice), WAIT).toEqual(expected);
    await expect.poll(() => lastMessage(alice, true).getAttribute("data-state"), WAIT).toBe("read");

    // kill -9 the node Bob is on: within seconds he is on the other node, and the chat goes on.
    const crashed = await connectedNode(bob);
    suite.stack.processes.find((p) => p.label === crashed)!.child.kill("SIGKILL");
    await expect
      .poll(async () => (await bob.locator('[data-connection="connected"]').getAttribute("data-node-id", { timeout: 1_000 }).catch(() => null)) ?? "", { timeout: 60_000 })
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
    await page.waitForURL(`${suite.stack.baseUrl}/login`);

    await page.goto(`${suite.stack.baseUrl}/register`);
    await page.getByLabel("Username").fill("carol");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Confirm password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("This username is taken.").waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, "register-taken.png") });

    // Use up carol's login attempts (10 per window by default) over HTTP, then try in the page.
    for (let i = 0; i < 12; i++) {
      await fetch(`${suite.stack.baseUrl}/api/trpc/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "carol", password: `wrong-${i}-password` }),
      });
    }
    await page.goto(`${suite.stack.baseUrl}/login`);
    await page.getByLabel("Username").fill("carol");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const limited = page.locator('[role="alert"]').filter({ has: page.locator('[data-error-code="RATE_LIMITED"]') });
    await limited.waitFor();
    expect(await limited.textContent()).toMatch(/Too many attempts\. Try again in \d+ seconds?\./);
    expect(await page.getByRole("button", { name: "Sign in" }).isDisabled()).toBe(true);
  });
  it("finds people by part of their display name, adds them from the results, and moves through conversations with the keyboard", async () => {
    // Service workers blocked in this context so page.route sees every gateway call.
    const ivan = await newPage({ serviceWorkers: "block" });
    await register(ivan, "ivan", "Ivan Petrov");
    const judith = await registerOverHttp("jgray", "Judith Gray");
    const jude = await registerOverHttp("jlaw", "Jude Law");

    // "Jud" is the start of both display names and of neither username.
    const field = ivan.getByLabel("Add contact");
    await field.fill("Jud");
    const results = ivan.getByTestId("search-result");
    const usernames = () => results.evaluateAll((els) => els.map((e) => e.getAttribute("data-username")));
    await expect.poll(usernames, WAIT).toEqual(["jgray", "jlaw"]);
    expect(await results.first().innerText()).toMatch(/Judith Gray\s+@jgray/);
    expect(await results.first().getAttribute("data-relation")).toBe("none");

    // Keyboard: ArrowDown from the field into the results, down once more, Enter adds Jude.
    await field.press("ArrowDown");
    expect(await focused(ivan)).toBe("Add Judith Gray (@jgray)");
    await ivan.keyboard.press("ArrowDown");
    expect(await focused(ivan)).toBe("Add Jude Law (@jlaw)");
    await ivan.keyboard.press("Enter");
    await ivan.getByText("Request sent to @jlaw.").waitFor();
    // Sent: the search is cleared and the cursor is back in the field for the next one.
    expect(await field.inputValue()).toBe("");
    expect(await focused(ivan, "name")).toBe("contact-username");
    await field.fill("Jud");
    const judeRow = results.filter({ hasText: "Jude Law" });
    await expect.poll(() => judeRow.getAttribute("data-relation"), WAIT).toBe("requested");
    expect(await judeRow.getByRole("button").textContent()).toBe("Requested");
    // ArrowUp from the first result goes back to the field.
    await field.press("ArrowDown");
    expect(await focused(ivan)).toBe("Add Judith Gray (@jgray)");
    await ivan.keyboard.press("ArrowUp");
    expect(await focused(ivan, "name")).toBe("contact-username");
    // The mouse adds Judith.
    await ivan.getByRole("button", { name: "Add Judith Gray (@jgray)" }).click();
    await ivan.getByText("Request sent to @jgray.").waitFor();
    expect(await field.inputValue()).toBe("");
    await field.fill("Jud");
    await expect.poll(() => results.filter({ hasText: "Judith Gray" }).getAttribute("data-relation"), WAIT).toBe("requested");
    await ivan.screenshot({ path: join(SCREENSHOT_DIR, "contact-search.png"), animations: "disabled" });

    // Both accept (over the gateway, with their sessions).
    for (const person of [judith, jude]) {
      const gateway = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: person.sessionToken });
      const { incoming } = await gateway.contacts.requests.query();
      expect(incoming.map((r) => r.from.username)).toEqual(["ivan"]);
      await gateway.contacts.accept.mutate({ requestId: incoming[0]!.id });
    }
    await ivan.reload();

    // A typed error is shown inline (the gateway answers RATE_LIMITED once); the search tries again by itself.
    let limited = 0;
    await ivan.route("**/api/trpc/users.search**", async (route) => {
      if (limited++ > 0) return route.fallback();
      await route.fulfill({
        status: 429,
        contentType: "application/json",
        body: JSON.stringify({
          error: {
            code: -32029,
            message: "too many searches; try again in 2 s",
            data: { code: "TOO_MANY_REQUESTS", httpStatus: 429, appCode: "RATE_LIMITED", details: { retryAfterMs: 2_000 } },
          },
        }),
      });
    });
    await field.fill("jud");
    const error = ivan.locator('[role="alert"][data-error-code="RATE_LIMITED"]');
    await error.waitFor(WAIT);
    expect(await error.textContent()).toMatch(/^Too many searches\./);
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    // Known people now show "Contact".
    await expect.poll(() => results.evaluateAll((els) => els.map((e) => e.getAttribute("data-relation"))), WAIT).toEqual(["contact", "contact"]);
    expect(await error.count()).toBe(0);
    expect(await results.first().innerText()).toContain("Contact");
    await ivan.unroute("**/api/trpc/users.search**");
    await field.fill("");

    // The conversation list: focus it, ArrowDown / ArrowUp move the focus, Enter opens the chat.
    const conversations = ivan.getByTestId("conversation");
    await expect.poll(() => conversations.count(), WAIT).toBe(2);
    const ids = await conversations.evaluateAll((els) => els.map((e) => e.getAttribute("data-conversation-id")));
    const titles = await conversations.evaluateAll((els) => els.map((e) => e.querySelector("span.truncate")?.textContent ?? ""));
    expect([...titles].sort()).toEqual(["Jude Law", "Judith Gray"]);
    await ivan.locator('[data-testid="conversation"][tabindex="0"]').focus();
    expect(await focused(ivan, "data-conversation-id")).toBe(ids[0]);
    await ivan.keyboard.press("ArrowDown");
    expect(await focused(ivan, "data-conversation-id")).toBe(ids[1]);
    await ivan.keyboard.press("ArrowUp");
    expect(await focused(ivan, "data-conversation-id")).toBe(ids[0]);
    await ivan.keyboard.press("ArrowDown");
    await ivan.keyboard.press("Enter");
    await expect.poll(() => ivan.getByTestId("chat-title").textContent(), WAIT).toBe(titles[1]);
    expect(await conversations.nth(1).getAttribute("aria-current")).toBe("true");
    await ivan.context().close();
  }, 120_000);
  it("offline: with every server down a reload shows the history from IndexedDB; a message written offline is sent once when they are back", async () => {
    const dan = await newPage();
    await register(dan, "dan", "Dan Okafor");
    await connectedNode(dan);
    const erin = await newPage({ colorScheme: "dark" });
    await register(erin, "erin", "Erin Walsh");
    await connectedNode(erin);
    await erin.getByLabel("Add contact").fill("dan");
    await erin.getByRole("button", { name: "Add", exact: true }).click();
    await erin.getByTestId("outgoing-request").waitFor();
    await dan.reload();
    await dan.getByRole("button", { name: "Accept @erin" }).click();
    const danConv = dan.getByTestId("conversation").filter({ hasText: "Erin Walsh" });
    await danConv.click();
    const composerD = dan.getByRole("textbox", { name: "Message" });
    const history = ["Morning Erin! Lunch at noon?", "I'll book the place by the river.", "Bring the slides for Friday too."];
    for (const line of history) {
      await composerD.fill(line);
      await composerD.press("Enter");
    }
    await expect.poll(() => lastMessage(dan, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered)$/);

    // Erin opens it: the "new messages" marker sits above Dan's first message; she answers.
    const erinConv = erin.getByTestId("conversation").filter({ hasText: "Dan Okafor" });
    await erinConv.waitFor({ timeout: 30_000 });
    await expect.poll(() => erinConv.getByTestId("unread-count").textContent(), WAIT).toContain("3");
    await erinConv.click();
    await erin.getByTestId("new-messages").waitFor();
    await erin.getByTestId("day-separator").first().waitFor();
    const composerE = erin.getByRole("textbox", { name: "Message" });
    await composerE.fill("Noon works. See you there!");
    await composerE.press("Enter");
    await expect.poll(() => lastMessage(dan, false).textContent(), WAIT).toContain("Noon works");
    await expect.poll(() => lastMessage(erin, true).getAttribute("data-state"), WAIT).toBe("read");
    await erin.screenshot({ path: join(SCREENSHOT_DIR, "desktop-dark.png") });
    await dan.screenshot({ path: join(SCREENSHOT_DIR, "desktop-light.png") });
    await erin.setViewportSize({ width: 390, height: 780 });
    await erin.getByRole("button", { name: "Back to conversations" }).waitFor();
    await erin.screenshot({ path: join(SCREENSHOT_DIR, "phone-dark.png") });
    await erin.setViewportSize({ width: 1100, height: 720 });
    // The page is controlled by the service worker before the servers go away.
    await expect.poll(() => dan.evaluate(() => navigator.serviceWorker.controller !== null), WAIT).toBe(true);

    // Everything stops: both core nodes AND the Next server. Only the service worker can answer.
    await suite.stack.stopServers();
    await dan.reload();
    const banner = dan.locator('[data-offline="true"]');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toContain("Offline");
    // Contacts, conversations and history from IndexedDB.
    await dan.getByRole("button", { name: /^Chat with Erin Walsh/ }).waitFor();
    await danConv.click();
    const bodies = async (page: Page) => page.getByTestId("message").locator("div.rounded-2xl").allInnerTexts();
    const expected = [...history, "Noon works. See you there!"];
    await expect.poll(() => bodies(dan), WAIT).toEqual(expected);

    // Written offline: queued ("sending"), and still queued after another reload (IndexedDB outbox).
    const offlineLine = "Written while everything was down.";
    await composerD.fill(offlineLine);
    await composerD.press("Enter");
    await expect.poll(() => lastMessage(dan, true).getAttribute("data-state"), WAIT).toBe("sending");
    await dan.screenshot({ path: join(SCREENSHOT_DIR, "offline-desktop.png") });
    await dan.setViewportSize({ width: 390, height: 780 });
    await dan.screenshot({ path: join(SCREENSHOT_DIR, "offline-phone.png") });
    await dan.setViewportSize({ width: 1100, height: 720 });
    await dan.reload();
    await danConv.click();
    await expect.poll(() => bodies(dan), WAIT).toEqual([...expected, offlineLine]);
    expect(await lastMessage(dan, true).getAttribute("data-state")).toBe("sending");

    // The servers come back: the queued message goes out by itself, once, and Erin reads it.
    await suite.stack.startServers();
    // (The client's backoff grew while everything was down: up to 30 s between attempts.)
    await dan.locator('[data-connection="connected"]').waitFor({ timeout: 90_000 });
    await expect.poll(() => lastMessage(dan, true).getAttribute("data-state"), { timeout: 60_000 }).toMatch(/^(sent|delivered|read)$/);
    await expect.poll(() => lastMessage(erin, false).textContent(), { timeout: 60_000 }).toContain(offlineLine);
    await expect.poll(() => lastMessage(dan, true).getAttribute("data-state"), { timeout: 60_000 }).toBe("read");
    await expect.poll(() => bodies(dan), WAIT).toEqual([...expected, offlineLine]);
    await expect.poll(() => bodies(erin), WAIT).toEqual([...expected, offlineLine]);
    const prisma = createPrisma(suite.stack.database.url);
    try {
      expect(await prisma.message.count({ where: { body: offlineLine } })).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
    await dan.context().close();
    await erin.context().close();
  }, 300_000);
});
