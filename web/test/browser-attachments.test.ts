/**
 * Images and files end to end in a real browser against the production build (gateway in
 * Next.js with the disk blob store, two real core node processes, PostgreSQL): Ana sends a
 * photo (picked with the attach button) and a PDF (dropped on the chat); Ben, on a phone in the
 * dark theme, sees the photo's placeholder then its thumbnail, opens the full-size viewer
 * (Escape closes it, focus stays inside), and downloads the PDF. A pasted image shows its
 * preview and can be removed; a file over the limit is refused with a sentence before anything
 * is sent; an upload can be cancelled. Offline, the seen thumbnail still shows and a picked file
 * waits, then goes out once the servers are back. A pasted text over the 4,000-character limit
 * is not cut: the composer says so and sends it as a text file if asked.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { Limits } from "@dim/shared";
import { dropFiles, pasteFiles, pdf, photo, randomFile, type TestFile } from "./helpers/attachment-files";
import { connectedNode, focused, lastMessage, seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const MAX_BYTES = 2 * 1024 * 1024;
const suite = usePwaSuite({ nodes: 2, webEnv: { DIM_UPLOAD_MAX_BYTES: String(MAX_BYTES) } });
const { newPage, registerOverHttp, login } = suite;

async function pick(page: Page, files: TestFile[]): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "Attach files" }).click()]);
  await chooser.setFiles(files);
}

/** Two people who are each other's contacts (over the gateway: contacts are not what is tested here). */
async function contacts(first: [string, string], second: [string, string]): Promise<void> {
  const one = await registerOverHttp(...first);
  const two = await registerOverHttp(...second);
  await createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: one.sessionToken }).contacts.request.mutate({ username: second[0] });
  const gateway = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: two.sessionToken });
  await gateway.contacts.accept.mutate({ requestId: (await gateway.contacts.requests.query()).incoming[0]!.id });
}

/** Whether the image inside `locator` has decoded, and its natural size. */
function decoded(page: Page, testId: string) {
  return page
    .getByTestId(testId)
    .last()
    .locator("img")
    .evaluate((img: HTMLImageElement) => ({ complete: img.complete, width: img.naturalWidth, height: img.naturalHeight, blob: img.src.startsWith("blob:") }));
}

describe("images and files in the PWA", () => {
  it("Ana sends a photo and a PDF, Ben sees the thumbnail, opens the viewer and downloads; too big is refused; cancel; offline", async () => {
    await contacts(["ana", "Ana Lima"], ["ben", "Ben Ortiz"]);

    const a = await newPage();
    const b = await newPage({ colorScheme: "dark", width: 390 });
    await login(a, "ana");
    await login(b, "ben");
    await connectedNode(a);
    await connectedNode(b);
    await a.getByTestId("conversation").filter({ hasText: "Ben Ortiz" }).click();

    // The photo, picked with the attach button: a preview in the tray, then sent with a caption.
    const beach = await photo();
    await pick(a, [beach]);
    const draft = a.getByTestId("draft");
    await expect.poll(() => draft.count(), WAIT).toBe(1);
    await expect.poll(() => decoded(a, "draft").then((d) => d.width), WAIT).toBe(800);
    expect(await seriousAxeViolations(a)).toEqual([]);
    await docScreenshot(a, "attach-preview-desktop-light");
    const composer = a.getByRole("textbox", { name: "Message" });
    await composer.fill("Our beach");
    await composer.press("Enter");
    await expect.poll(() => draft.count(), WAIT).toBe(0);
    await expect.poll(() => lastMessage(a, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered|read)$/);

    // Ben: the conversation list says "Photo"; the bubble has the blur, then the thumbnail.
    const benConv = b.getByTestId("conversation").filter({ hasText: "Ana Lima" });
    await expect.poll(() => benConv.textContent(), WAIT).toContain("Photo: Our beach");
    await benConv.click();
    const image = b.getByTestId("image-attachment").last();
    await image.waitFor(WAIT);
    expect(await image.getAttribute("data-placeholder")).toBe("true");
    await expect.poll(() => image.getAttribute("data-loaded"), WAIT).toBe("true");
    expect(await decoded(b, "image-attachment")).toEqual({ complete: true, width: 320, height: 240, blob: true });
    await expect.poll(() => lastMessage(b, false).textContent(), WAIT).toContain("Our beach");
    expect(await seriousAxeViolations(b)).toEqual([]);
    await docScreenshot(b, "photo-phone-dark");

    // The full-size viewer, by keyboard: Enter opens it, focus is inside and stays there, Escape closes.
    await image.focus();
    await b.keyboard.press("Enter");
    const viewer = b.getByTestId("image-viewer");
    await expect.poll(() => viewer.isVisible(), WAIT).toBe(true);
    expect(await focused(b)).toBe("Close photo");
    await expect.poll(() => decoded(b, "image-viewer").then((d) => [d.width, d.height]), WAIT).toEqual([800, 600]);
    for (let i = 0; i < 4; i++) {
      await b.keyboard.press("Tab");
      expect(await b.evaluate(() => document.querySelector("[data-testid='image-viewer']")!.contains(document.activeElement))).toBe(true);
    }
    expect(await seriousAxeViolations(b)).toEqual([]);
    await docScreenshot(b, "photo-viewer-phone-dark");
    await b.keyboard.press("Escape");
    await expect.poll(() => viewer.isVisible(), WAIT).toBe(false);
    expect(await focused(b)).toBe("Open photo beach.jpg");

    // The PDF, dropped on the conversation: Ben gets a file card and downloads the same bytes.
    const minutes = pdf();
    await dropFiles(a, "[data-testid='chat-view']", [minutes]);
    await expect.poll(() => draft.count(), WAIT).toBe(1);
    await a.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => lastMessage(a, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered|read)$/);
    const card = lastMessage(b, false).getByTestId("file-attachment");
    await card.waitFor(WAIT);
    expect(await card.getByTestId("file-name").textContent()).toBe("minutes.pdf");
    expect(await card.getByTestId("file-meta").textContent()).toBe(`PDF document · ${minutes.buffer.length} B`);
    const [download] = await Promise.all([b.waitForEvent("download"), card.getByRole("link", { name: "Download minutes.pdf" }).click()]);
    expect(download.suggestedFilename()).toBe("minutes.pdf");
    expect(readFileSync((await download.path())!).equals(minutes.buffer)).toBe(true);
    await expect.poll(() => benConv.textContent(), WAIT).toContain("minutes.pdf");
    expect(await seriousAxeViolations(b)).toEqual([]);

    // A pasted screenshot shows in the tray and can be removed again.
    await pasteFiles(a, "textarea", [await photo("screenshot.png")]);
    await expect.poll(() => draft.count(), WAIT).toBe(1);
    await a.getByRole("button", { name: "Remove screenshot.png" }).click();
    await expect.poll(() => draft.count(), WAIT).toBe(0);

    // Too big: refused with a sentence before anything is sent (the server's limit, from the page).
    const messagesBefore = await a.getByTestId("message").count();
    await pick(a, [randomFile("holiday-video.mov", 3 * 1024 * 1024)]);
    const problem = a.getByTestId("draft-problem");
    await expect.poll(() => problem.textContent(), WAIT).toBe("“holiday-video.mov” is 3 MB: files can be at most 2 MB.");
    expect(await a.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    expect(await seriousAxeViolations(a)).toEqual([]);
    await docScreenshot(a, "attach-too-big-desktop-light");
    await a.getByRole("button", { name: "Remove holiday-video.mov" }).click();
    expect(await a.getByTestId("message").count()).toBe(messagesBefore);
    // The server refuses it too, from its Content-Length, and the browser gets that answer (not a reset).
    const refused = await a.evaluate(
      (size) =>
        new Promise<{ status: number; code: string | null }>((resolve) => {
          const xhr = new XMLHttpRequest();
          xhr.open("POST", "/api/files?name=holiday-video.mov");
          xhr.onload = () => resolve({ status: xhr.status, code: (JSON.parse(xhr.responseText) as { error: { code: string } }).error.code });
          xhr.onerror = () => resolve({ status: 0, code: null });
          xhr.send(new Blob([new Uint8Array(size)]));
        }),
      3 * 1024 * 1024,
    );
    expect(refused).toEqual({ status: 413, code: "PAYLOAD_TOO_LARGE" });

    // A type that lies (text named .png) is refused by the server: the message fails, in words, and can be removed.
    await pick(a, [{ name: "not-really.png", mimeType: "image/png", buffer: Buffer.from("just some text, no image at all") }]);
    await a.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => lastMessage(a, true).getAttribute("data-state"), WAIT).toBe("failed");
    expect(await lastMessage(a, true).getByTestId("failure").textContent()).toBe("The file is not what its name says (its contents are of another type).");
    expect(await seriousAxeViolations(a)).toEqual([]);
    await lastMessage(a, true).getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => a.getByTestId("message").count(), WAIT).toBe(messagesBefore);

    // Cancel: an upload on a slow link shows its progress and can be stopped; nothing arrives.
    const cdp = await a.context().newCDPSession(a);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
    await pick(a, [randomFile("slow.bin", 1024 * 1024)]);
    await a.getByRole("button", { name: "Send" }).click();
    const status = lastMessage(a, true).getByTestId("upload-status");
    await expect.poll(() => status.getAttribute("data-status"), WAIT).toBe("uploading");
    await expect.poll(() => status.locator("progress").evaluate((p: HTMLProgressElement) => p.value), WAIT).toBeGreaterThan(0);
    expect(await seriousAxeViolations(a)).toEqual([]);
    await docScreenshot(a, "upload-progress-desktop-light");
    await a.getByRole("button", { name: "Cancel upload of slow.bin" }).click();
    await expect.poll(() => a.getByTestId("message").count(), WAIT).toBe(messagesBefore);
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();

    // Offline: the thumbnail Ben saw comes from IndexedDB; a file Ana picks waits, then goes out.
    await expect.poll(() => a.evaluate(() => navigator.serviceWorker.controller !== null), WAIT).toBe(true);
    await expect.poll(() => b.evaluate(() => navigator.serviceWorker.controller !== null), WAIT).toBe(true);
    await suite.stack.stopServers();
    await b.reload();
    await b.locator('[data-offline="true"]').waitFor({ timeout: 30_000 });
    await b.getByTestId("conversation").filter({ hasText: "Ana Lima" }).click();
    await expect.poll(() => b.getByTestId("image-attachment").last().getAttribute("data-loaded"), WAIT).toBe("true");
    await docScreenshot(b, "photo-offline-phone-dark");
    await a.reload();
    await a.locator('[data-offline="true"]').waitFor({ timeout: 30_000 });
    await a.getByTestId("conversation").filter({ hasText: "Ben Ortiz" }).click();
    await pick(a, [pdf("agenda.pdf")]);
    await a.getByRole("button", { name: "Send" }).click();
    const waiting = lastMessage(a, true).getByTestId("upload-status");
    await expect.poll(() => waiting.getAttribute("data-status"), WAIT).toBe("waiting");
    expect(await waiting.textContent()).toContain("it uploads when you are back online");
    await suite.stack.startServers();
    await a.locator('[data-connection="connected"]').waitFor({ timeout: 90_000 });
    await expect.poll(() => lastMessage(a, true).getAttribute("data-state"), { timeout: 60_000 }).toMatch(/^(sent|delivered|read)$/);
    await b.locator('[data-connection="connected"]').waitFor({ timeout: 90_000 });
    await expect.poll(() => lastMessage(b, false).getByTestId("file-name").textContent(), { timeout: 60_000 }).toBe("agenda.pdf");
    await a.context().close();
    await b.context().close();
  }, 600_000);

  it("a paste over the text limit is not cut: the composer says so and sends it as a text file instead", async () => {
    await contacts(["cat", "Cat Brown"], ["dan", "Dan Green"]);
    const a = await newPage();
    const b = await newPage({ colorScheme: "dark", width: 390 });
    // A real Ctrl+V from the system clipboard, so the textarea's own paste (and its maxLength) applies.
    await a.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: suite.stack.baseUrl });
    await login(a, "cat");
    await login(b, "dan");
    await connectedNode(a);
    await a.getByTestId("conversation").filter({ hasText: "Dan Green" }).click();
    const composer = a.getByRole("textbox", { name: "Message" });
    const paste = async (text: string) => {
      await a.evaluate((t) => navigator.clipboard.writeText(t), text);
      await composer.focus();
      await a.keyboard.press("ControlOrMeta+V");
    };

    // A paste that fits goes in as usual.
    await paste("see the minutes below");
    await expect.poll(() => composer.inputValue(), WAIT).toBe("see the minutes below");

    // One over the limit is held back and said, not cut to the first 4,000 characters.
    const minutes = Array.from({ length: 80 }, (_, i) => `${i + 1}. The committee went through point ${i + 1} of the agenda and agreed.`).join("\n");
    expect(minutes.length).toBeGreaterThan(Limits.maxBodyChars);
    await composer.press("End");
    await paste(minutes);
    const offer = a.getByTestId("long-paste");
    await offer.waitFor(WAIT);
    expect(await offer.getByRole("status").textContent()).toBe(
      `The pasted text has ${minutes.length.toLocaleString("en-US")} characters; a message can hold ${Limits.maxBodyChars.toLocaleString("en-US")}. It was not pasted. Send it as a text file instead?`,
    );
    expect(await composer.inputValue()).toBe("see the minutes below");
    expect(await seriousAxeViolations(a)).toEqual([]);
    await docScreenshot(a, "long-paste-desktop-light");
    await switchTheme(a, "dark");
    expect(await seriousAxeViolations(a)).toEqual([]);
    await switchTheme(a, "light");

    // As a text file: in the tray, then sent with the typed words as its caption; Dan gets the whole text.
    await offer.getByRole("button", { name: "Attach as a text file" }).click();
    await expect.poll(() => offer.count(), WAIT).toBe(0);
    const draft = a.getByTestId("draft");
    await expect.poll(() => draft.count(), WAIT).toBe(1);
    expect(await draft.textContent()).toContain("pasted-text.txt");
    expect(await focused(a, "id")).toBe(await composer.getAttribute("id"));
    await composer.press("Enter");
    await expect.poll(() => lastMessage(a, true).getAttribute("data-state"), WAIT).toMatch(/^(sent|delivered|read)$/);
    await b.getByTestId("conversation").filter({ hasText: "Cat Brown" }).click();
    const card = lastMessage(b, false).getByTestId("file-attachment");
    await card.waitFor(WAIT);
    expect(await card.getByTestId("file-name").textContent()).toBe("pasted-text.txt");
    expect(await lastMessage(b, false).textContent()).toContain("see the minutes below");
    const [download] = await Promise.all([b.waitForEvent("download"), card.getByRole("link", { name: "Download pasted-text.txt" }).click()]);
    expect(readFileSync((await download.path())!, "utf8")).toBe(minutes);

    // Or left out: the offer goes, the composer keeps what it had.
    await paste(minutes);
    await offer.waitFor(WAIT);
    await offer.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => offer.count(), WAIT).toBe(0);
    expect(await composer.inputValue()).toBe("");
    await a.context().close();
    await b.context().close();
  }, 300_000);
});
