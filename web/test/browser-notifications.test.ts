/**
 * Notifications in a real browser against the production build (gateway in Next.js, two core
 * node processes, PostgreSQL): Omar sets do not disturb and the preview level in Settings by
 * keyboard, mutes his conversation with Nina for 8 hours from the chat header (his phone's list
 * shows it muted at once: the `mute` frame), and a message from Nina then counts in the list but
 * not in the tab title nor the app badge; unmuted (on another device), both count it. The
 * service worker's `push` handler, driven through the DevTools protocol
 * (ServiceWorker.deliverPushMessage: headless Chromium has no push service), shows a notification
 * built from the payload. Every screen is axe-clean in both themes, at desktop and phone width,
 * and the settings and the mute menu are shown in Chinese too.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { connectedNode, seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 2 });
const { newPage, registerOverHttp, login } = suite;

async function axeBothThemes(page: Page): Promise<string[]> {
  const light = await seriousAxeViolations(page);
  await switchTheme(page, "dark");
  const dark = await seriousAxeViolations(page);
  await switchTheme(page, "light");
  return [...light, ...dark];
}

/** A page whose navigator.setAppBadge / clearAppBadge calls are recorded (window.__badge). */
async function badgedPage(width?: number): Promise<Page> {
  const page = await newPage(width ? { width } : {});
  await page.context().grantPermissions(["notifications"], { origin: suite.stack.baseUrl });
  await page.addInitScript(() => {
    const w = window as unknown as { __badge: number };
    w.__badge = -1;
    Object.assign(navigator, {
      setAppBadge: (n: number) => Promise.resolve(void (w.__badge = n)),
      clearAppBadge: () => Promise.resolve(void (w.__badge = 0)),
    });
  });
  return page;
}

const badge = (page: Page) => page.evaluate(() => (window as unknown as { __badge: number }).__badge);

describe("notifications in the PWA", () => {
  it("settings, a mute synced to the other device, the badge and title without muted, and the service worker's push", async () => {
    const nina = await registerOverHttp("nina", "Nina Park");
    const omar = await registerOverHttp("omar", "Omar Haddad");
    await createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: nina.sessionToken }).contacts.request.mutate({ username: "omar" });
    const omarApi = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: omar.sessionToken });
    await omarApi.contacts.accept.mutate({ requestId: (await omarApi.contacts.requests.query()).incoming[0]!.id });
    const conversationId = (await omarApi.conversations.list.query())[0]!.id;

    const laptop = await badgedPage();
    const phone = await badgedPage(390);
    await login(laptop, "omar");
    await login(phone, "omar");
    await connectedNode(laptop);
    await connectedNode(phone);

    // Settings, by keyboard: previews with the text, do not disturb on and off again.
    await laptop.getByTestId("open-settings").click();
    const section = laptop.getByTestId("settings-dialog").getByTestId("notification-settings");
    await section.getByRole("heading", { name: "Notifications" }).waitFor();
    await expect.poll(() => section.getByTestId("preview-name").isChecked(), WAIT).toBe(true);
    await section.getByTestId("preview-text").focus();
    await laptop.keyboard.press("Space");
    await expect.poll(() => section.getByTestId("preview-text").isChecked(), WAIT).toBe(true);
    await section.getByTestId("dnd").focus();
    await laptop.keyboard.press("Space");
    await expect.poll(() => section.getByTestId("dnd").isChecked(), WAIT).toBe(true);
    await expect.poll(async () => (await omarApi.notifications.settings.query()).dnd, WAIT).toBe(true);
    expect(await axeBothThemes(laptop)).toEqual([]);
    await docScreenshot(laptop, "notification-settings-desktop");
    await section.getByTestId("dnd").focus();
    await laptop.keyboard.press("Space");
    await expect.poll(async () => await omarApi.notifications.settings.query(), WAIT).toEqual({ preview: "text", dnd: false });
    await laptop.keyboard.press("Escape");

    // Mute from the chat header, by keyboard; the phone's list marks it at once.
    await laptop.getByTestId("conversation").filter({ hasText: "Nina Park" }).click();
    const menu = laptop.getByTestId("mute-menu");
    await menu.locator("summary").focus();
    await laptop.keyboard.press("Enter");
    await menu.getByTestId("mute-8h").focus();
    expect(await axeBothThemes(laptop)).toEqual([]);
    await laptop.keyboard.press("Enter");
    await expect.poll(() => menu.getAttribute("data-muted"), WAIT).toBe("true");
    await expect.poll(() => laptop.locator(`[data-testid="conversation"][data-conversation-id="${conversationId}"]`).getAttribute("data-muted"), WAIT).toBe("true");
    await expect.poll(() => phone.locator(`[data-testid="conversation"][data-conversation-id="${conversationId}"]`).getAttribute("data-muted"), WAIT).toBe("true");
    expect(await axeBothThemes(phone)).toEqual([]);
    await docScreenshot(phone, "conversation-muted-phone");

    // A message while muted: counted in the list, not in the title or the badge.
    await laptop.reload(); // nothing open: the message stays unread
    await connectedNode(laptop);
    const ninaPage = await newPage();
    await login(ninaPage, "nina");
    await ninaPage.getByTestId("conversation").filter({ hasText: "Omar Haddad" }).click();
    const composer = ninaPage.getByRole("textbox", { name: "Message" });
    await composer.fill("Dinner at eight?");
    await composer.press("Enter");
    const row = laptop.locator(`[data-testid="conversation"][data-conversation-id="${conversationId}"]`);
    await expect.poll(() => row.getByTestId("unread-count").textContent(), WAIT).toContain("1");
    await expect.poll(() => laptop.title(), WAIT).toBe("DIM");
    expect(await badge(laptop)).toBe(0);

    // Unmuted on another device: the list, the title and the badge agree.
    await omarApi.notifications.mute.mutate({ conversationId, duration: "off" });
    await expect.poll(() => row.getAttribute("data-muted"), WAIT).toBe(null);
    await expect.poll(() => laptop.title(), WAIT).toBe("(1) DIM");
    await expect.poll(() => badge(laptop), WAIT).toBe(1);
    await expect.poll(() => phone.title(), WAIT).toBe("(1) DIM");

    // The service worker's push handler, with a payload as the server sends it (preview "text").
    const cdp = await laptop.context().newCDPSession(laptop);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL === `${suite.stack.baseUrl}/` && !r.isDeleted);
        if (ours) resolve(ours.registrationId);
      });
    });
    await cdp.send("ServiceWorker.enable");
    const payload = { v: 1, type: "message", conversationId, seq: 1, sender: "Nina Park", conversation: null, text: "Dinner at eight?" };
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: suite.stack.baseUrl, registrationId: await registrationId, data: JSON.stringify(payload) });
    const shown = () =>
      laptop.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown })));
    await expect.poll(shown, WAIT).toEqual([{ title: "Nina Park", body: "Dinner at eight?", tag: conversationId, data: { conversationId, seq: 1 } }]);
    // Without a preview: names only, no text.
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: suite.stack.baseUrl,
      registrationId: await registrationId,
      data: JSON.stringify({ ...payload, seq: 2, text: null, sender: null }),
    });
    await expect.poll(async () => (await shown()).map((n) => [n.title, n.body]), WAIT).toEqual([["DIM", "New message"]]);

    // In Chinese (Settings → Language is kept in localStorage): the mute menu and the settings section.
    await phone.evaluate(() => localStorage.setItem("dim-locale", "zh-CN"));
    await phone.reload();
    await connectedNode(phone);
    await phone.getByTestId("open-settings").click();
    const zhSection = phone.getByTestId("notification-settings");
    await zhSection.getByRole("heading", { name: "通知" }).waitFor();
    expect(await zhSection.getByTestId("dnd").locator("xpath=..").textContent()).toContain("勿扰模式");
    expect(await axeBothThemes(phone)).toEqual([]);
    await docScreenshot(phone, "notification-settings-phone-zh");
    await phone.keyboard.press("Escape");
    await phone.getByTestId("conversation").filter({ hasText: "Nina Park" }).click();
    await expect.poll(() => phone.getByTestId("mute-menu").locator("summary").textContent(), WAIT).toBe("静音");
  }, 90_000);
});
