/**
 * Draws the PWA icons from one SVG (a brand-blue square with a white speech bubble, like the
 * desktop app's icon) into web/public/icons/: icon-192.png, icon-512.png (rounded, "any") and
 * maskable-192.png, maskable-512.png (full bleed, the bubble inside the 80 % safe zone).
 * Uses sharp (already installed with Next); nothing is fetched. Run: npx tsx web/scripts/make-icons.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");

function svg(maskable: boolean): string {
  // The bubble is drawn on a 512 grid; maskable icons shrink it to the safe zone.
  const scale = maskable ? 0.72 : 1;
  const shift = (512 - 512 * scale) / 2;
  const background = maskable ? `<rect width="512" height="512" fill="url(#g)"/>` : `<rect x="16" y="16" width="480" height="480" rx="112" fill="url(#g)"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2f7bf6"/><stop offset="1" stop-color="#1a4fae"/></linearGradient></defs>
  ${background}
  <g transform="translate(${shift} ${shift}) scale(${scale})">
    <rect x="104" y="128" width="304" height="216" rx="72" fill="#fff"/>
    <path d="M150 330 L230 330 L128 410 Z" fill="#fff"/>
    <circle cx="184" cy="236" r="26" fill="#1f63d8"/><circle cx="256" cy="236" r="26" fill="#1f63d8"/><circle cx="328" cy="236" r="26" fill="#1f63d8"/>
  </g>
</svg>`;
}

mkdirSync(OUT, { recursive: true });
for (const maskable of [false, true]) {
  const source = svg(maskable);
  if (!maskable) writeFileSync(join(OUT, "icon.svg"), source);
  for (const size of [192, 512]) {
    const png = await sharp(Buffer.from(source)).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
    writeFileSync(join(OUT, `${maskable ? "maskable" : "icon"}-${size}.png`), png);
  }
}
console.log(`icons written to ${OUT}`);
