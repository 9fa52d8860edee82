/**
 * Settings in a real browser against the production build (gateway in Next.js, two core node
 * processes, PostgreSQL): the same person signed in in two browser contexts; the first changes
 * its profile (name, status, a picture with a preview), sees both devices listed (this one
 * marked), signs the other out — whose socket is closed and which lands on the sign-in page —
 * and every screen of it is axe-clean in both themes and at phone width.
 */
import { describe, expect, it } from "vitest";
import { createGatewayClient } from "@dim/client";
import { connectedNode, seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";
import sharp from "sharp";

const suite = usePwaSuite({ nodes: 2 });
const { newPage, registerOverHttp, login } = suite;

describe("settings in the PWA", () => {
  it("profile with a picture, the devices list, and signing out another device closes its socket", async () => {
    // Registered over HTTP, that session ended: the two browsers are her only devices.
    const registered = await registerOverHttp("rita", "Rita");
    await createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: registered.sessionToken }).auth.logout.mutate();
    const laptop = await newPage();
    const phone = await newPage({ width: 390 });
    // The phone's socket, watched from its opening: its close is what signing it out must cause.
    const phoneSocketClosed = new Promise<void>((resolve) => phone.on("websocket", (ws) => ws.on("close", () => resolve())));
    await login(laptop, "rita");
    await login(phone, "rita");
    await connectedNode(laptop);
    await connectedNode(phone);

    await laptop.getByTestId("open-settings").click();
    const dialog = laptop.getByTestId("settings-dialog");
    await dialog.getByRole("heading", { name: "Settings" }).waitFor();
    expect(await seriousAxeViolations(laptop)).toEqual([]);

    // Profile: name, status, and a picture previewed before it is saved.
    await dialog.getByLabel("Display name").fill("Rita Moreno");
    await dialog.getByLabel("Status").fill("Working from Lisbon");
    const picture = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 20, g: 120, b: 200 } } }).png().toBuffer();
    await dialog.getByTestId("avatar-input").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: picture });
    await expect.poll(() => dialog.locator("img[src^='blob:']").count(), WAIT).toBe(1);
    await dialog.getByRole("button", { name: "Save profile" }).click();
    await expect.poll(() => dialog.getByTestId("profile-message").textContent(), WAIT).toBe("Profile saved.");
    await expect.poll(() => laptop.getByTestId("me").textContent(), WAIT).toBe("Rita Moreno");
    await expect.poll(() => dialog.locator("img[src^='/api/files/']").count(), WAIT).toBe(1);

    // Devices: two, this one marked.
    const sessions = dialog.getByTestId("session");
    await expect.poll(() => sessions.count(), WAIT).toBe(2);
    await expect.poll(() => dialog.locator('[data-testid="session"][data-current]').count(), WAIT).toBe(1);
    await expect.poll(() => dialog.locator('[data-testid="session"][data-current]').textContent(), WAIT).toContain("This device");
    expect(await seriousAxeViolations(laptop)).toEqual([]);
    await switchTheme(laptop, "dark");
    expect(await seriousAxeViolations(laptop)).toEqual([]);
    await docScreenshot(laptop, "settings-desktop-dark");
    await switchTheme(laptop, "light");

    // Sign the phone out, by keyboard.
    const other = dialog.locator('[data-testid="session"]:not([data-current])');
    await other.getByRole("button", { name: /^Sign out/ }).focus();
    await laptop.keyboard.press("Enter");
    await expect.poll(() => sessions.count(), WAIT).toBe(1);

    // The phone's socket is closed by its node and the app goes to the sign-in page.
    await phoneSocketClosed;
    await phone.waitForURL(/\/login$/, WAIT);
    await expect.poll(() => phone.getByRole("button", { name: "Sign in" }).count(), WAIT).toBe(1);
    // The laptop is still signed in and connected.
    await laptop.reload();
    await connectedNode(laptop);
    expect(await laptop.getByTestId("me").textContent()).toBe("Rita Moreno");

    // The settings at phone width, both themes.
    await login(phone, "rita");
    await phone.getByTestId("open-settings").click();
    await phone.getByTestId("settings-dialog").getByRole("heading", { name: "Settings" }).waitFor();
    await expect.poll(() => phone.getByTestId("session").count(), WAIT).toBe(2);
    expect(await seriousAxeViolations(phone)).toEqual([]);
    await switchTheme(phone, "dark");
    expect(await seriousAxeViolations(phone)).toEqual([]);
    await docScreenshot(phone, "settings-phone-dark");
  });
});
