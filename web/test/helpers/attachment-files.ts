/** Files for the attachment browser test, made on the spot: a photo, a PDF, random bytes. */
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import type { Page } from "playwright-core";

export interface TestFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** A noisy 800 × 600 JPEG (a photo's worth of detail, some 200 KB). */
export async function photo(name = "beach.jpg"): Promise<TestFile> {
  const width = 800;
  const height = 600;
  const buffer = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
  return { name, mimeType: "image/jpeg", buffer };
}

export function pdf(name = "minutes.pdf"): TestFile {
  const text = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  return { name, mimeType: "application/pdf", buffer: Buffer.from(text) };
}

export function randomFile(name: string, bytes: number): TestFile {
  return { name, mimeType: "application/octet-stream", buffer: randomBytes(bytes) };
}

/** Drops files on `selector` as a drag from the desktop would (dragover, then drop). */
export async function dropFiles(page: Page, selector: string, files: TestFile[]): Promise<void> {
  const transfer = await page.evaluateHandle(
    (list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.mimeType }));
      return dt;
    },
    files.map((f) => ({ name: f.name, mimeType: f.mimeType, b64: f.buffer.toString("base64") })),
  );
  await page.dispatchEvent(selector, "dragover", { dataTransfer: transfer });
  await page.dispatchEvent(selector, "drop", { dataTransfer: transfer });
  await transfer.dispose();
}

/** Pastes files into the focused-or-given element, as Ctrl+V of a copied image does. */
export async function pasteFiles(page: Page, selector: string, files: TestFile[]): Promise<void> {
  await page.locator(selector).evaluate(
    (el, list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.mimeType }));
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    files.map((f) => ({ name: f.name, mimeType: f.mimeType, b64: f.buffer.toString("base64") })),
  );
}
