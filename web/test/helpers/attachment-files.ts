/** Files for the attachment browser test, made on the spot: a photo, a PDF, random bytes. */
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import type { Page } from "playwright-core";

export interface TestFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** An 800 × 600 JPEG: a sunset over the sea (drawn as SVG), with grain so it weighs like a photo. */
export async function photo(name = "beach.jpg"): Promise<TestFile> {
  const width = 800;
  const height = 600;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#1e3a8a"/><stop offset="0.6" stop-color="#f97316"/><stop offset="1" stop-color="#fde68a"/></linearGradient></defs>
    <rect width="${width}" height="${height}" fill="url(#sky)"/>
    <circle cx="560" cy="330" r="70" fill="#fef3c7"/>
    <rect y="380" width="${width}" height="220" fill="#0e7490"/>
    <path d="M0 470 Q200 440 400 470 T800 470 V600 H0 Z" fill="#155e75"/>
    <path d="M0 540 Q220 500 460 540 T800 530 V600 H0 Z" fill="#fcd34d"/>
  </svg>`;
  const grain = await sharp(randomBytes(width * height), { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  const buffer = await sharp(Buffer.from(svg))
    .composite([{ input: grain, blend: "soft-light" }])
    .jpeg({ quality: 85 })
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
