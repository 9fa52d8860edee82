/**
 * Message search and jumps in a real browser against the production build: Ctrl+K focuses the
 * search box, a Chinese substring finds its message in a long conversation, the result opens
 * the conversation at that message (older history paged in, scrolled to, outlined), all by
 * keyboard; "Jump to…" a date lands on that day's first message. No serious axe violation.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { createPrisma, PrismaMessageStore } from "@dim/db";
import { seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 1 });
const { newPage, registerOverHttp, login } = suite;

/** The message at `seq` is on screen, in the scroller's visible part, and outlined. */
async function focusedSeq(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-testid="message"][data-focused="true"]');
    const scroller = document.querySelector<HTMLElement>('[data-testid="message-scroller"]');
    if (!el || !scroller) return null;
    const a = el.getBoundingClientRect();
    const b = scroller.getBoundingClientRect();
    return a.bottom > b.top && a.top < b.bottom ? Number(el.dataset.seq) : null;
  });
}

describe("message search and jump in the PWA", () => {
  it("finds 明天 by Ctrl+K, opens the conversation at it, and jumps to a date", async () => {
    const ana = await registerOverHttp("sana", "Ana Search");
    const ben = await registerOverHttp("sben", "Ben Found");
    const anaGateway = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: ana.sessionToken });
    const benGateway = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: ben.sessionToken });
    await anaGateway.contacts.request.mutate({ username: "sben" });
    const { incoming } = await benGateway.contacts.requests.query();
    const { contact } = await benGateway.contacts.accept.mutate({ requestId: incoming[0]!.id });
    const conversationId = contact.conversationId;

    // A long conversation, stored as the core nodes store it: 600 messages, the 5th in Chinese,
    // seq n sent on day n (from 2026-01-01), far above the first page the chat loads (more than
    // a page of 200 above it: the jump is one `aroundSeq` page, not three pages back).
    const prisma = createPrisma(suite.stack.database.url, { poolSize: 2 });
    try {
      const store = new PrismaMessageStore(prisma);
      for (let i = 1; i <= 600; i++) {
        const body = i === 5 ? "好的，我们明天见 at the café" : `filler message number ${i}`;
        await store.append({ senderId: i % 2 ? ben.user.id : ana.user.id, conversationId, clientMsgId: randomUUID(), kind: "text", body });
      }
      await prisma.$executeRaw`UPDATE messages SET created_at = timestamptz '2026-01-01 12:00:00+00' + (seq - 1) * interval '1 day' WHERE conversation_id = ${conversationId}::uuid`;
    } finally {
      await prisma.$disconnect();
    }

    const page = await newPage();
    await login(page, "sana");
    await page.getByTestId("conversation").first().waitFor(WAIT);

    // Ctrl+K from anywhere focuses the search box.
    await page.locator("body").click();
    await page.keyboard.press("Control+k");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid")), WAIT).toBe("message-search");
    await page.keyboard.type("明天");
    const result = page.getByTestId("message-search-result");
    await expect.poll(() => result.count(), WAIT).toBe(1);
    expect(await result.locator("mark").allInnerTexts()).toEqual(["明天"]);
    expect(await result.innerText()).toContain("Ben Found");
    expect(await page.getByTestId("message-search").getAttribute("aria-activedescendant")).toBe(await result.getAttribute("id"));
    expect(await seriousAxeViolations(page)).toEqual([]);
    await docScreenshot(page, "message-search");
    // The marked words stay readable in the dark theme too.
    await switchTheme(page, "dark");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await switchTheme(page, "light");
    await page.getByTestId("message-search").focus();

    // Enter opens the conversation at the message: one page around it, centred, outlined.
    const history: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("conversations.history")) history.push(decodeURIComponent(r.url()));
    });
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByTestId("chat-title").textContent(), WAIT).toBe("Ben Found");
    await expect.poll(() => focusedSeq(page), WAIT).toBe(5);
    expect(await page.locator('[data-testid="message"][data-seq="5"]').innerText()).toContain("我们明天见");
    expect(history.filter((u) => u.includes("aroundSeq"))).toHaveLength(1);
    // The latest page, perhaps one older page (the list pages back when opened near its top), the jump's: never 3 pages of 200 back.
    expect(history.length).toBeLessThanOrEqual(3);
    // Between that page and the newest one: the gap, said and loadable (forwards, a page a time).
    const gap = page.getByTestId("history-gap");
    await gap.waitFor(WAIT);
    expect(await gap.innerText()).toMatch(/Load \d+ later messages/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    const before = await page.getByTestId("message").count();
    await gap.getByRole("button").click();
    await expect.poll(() => page.getByTestId("message").count(), WAIT).toBeGreaterThan(before);

    // Jump to a date: 2026-03-01 is day 60 from 2026-01-01, seq 60 (in the page's time zone,
    // which is UTC here, as the messages are at noon UTC).
    await page.getByText("Jump to…").click();
    await page.getByTestId("jump-date").fill("2026-03-01");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByTestId("jump-date-go").click();
    await expect.poll(() => focusedSeq(page), WAIT).toBe(60);

    // A word nobody wrote: "No messages found", nothing to open.
    await page.keyboard.press("Control+k");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("nowhere-to-be-seen");
    await page.getByText("No messages found").waitFor(WAIT);
  });
});
