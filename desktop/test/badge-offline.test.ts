import { describe, expect, it } from "vitest";
import { badgeDescription, badgeText, overlayLabel, renderOverlayBitmap } from "../src/main/badge";
import { escapeHtml, offlinePageDataUrl, offlinePageHtml, retryDelayMs, RETRY_MAX_MS } from "../src/main/offline-page";

describe("badge", () => {
  it("formats the dock/launcher text", () => {
    expect([0, -3, Number.NaN, 1, 7, 99, 100, 5000].map(badgeText)).toEqual(["", "", "", "1", "7", "99", "99+", "99+"]);
  });

  it("describes the overlay for screen readers and labels it in two characters", () => {
    expect(badgeDescription(0)).toBe("");
    expect(badgeDescription(1)).toBe("1 unread message");
    expect(badgeDescription(12)).toBe("12 unread messages");
    expect([0, 3, 9, 10, 250].map(overlayLabel)).toEqual(["", "3", "9", "9+", "9+"]);
  });

  it("renders no overlay for zero", () => {
    expect(renderOverlayBitmap(0)).toBeNull();
  });

  it("renders a 16×16 BGRA disc with white glyph pixels inside it and transparent corners", () => {
    const bitmap = renderOverlayBitmap(5)!;
    expect(bitmap).toMatchObject({ width: 16, height: 16 });
    expect(bitmap.data.length).toBe(16 * 16 * 4);
    const px = (x: number, y: number) => Array.from(bitmap.data.slice((y * 16 + x) * 4, (y * 16 + x) * 4 + 4));
    expect(px(0, 0)).toEqual([0, 0, 0, 0]);
    expect(px(15, 15)).toEqual([0, 0, 0, 0]);
    // a disc pixel away from the glyph: opaque brand red (B, G, R, A)
    expect(px(8, 1)).toEqual([0x2a, 0x26, 0xdc, 255]);
    let white = 0;
    for (let i = 0; i < bitmap.data.length; i += 4) if (bitmap.data[i] === 255 && bitmap.data[i + 1] === 255 && bitmap.data[i + 2] === 255) white++;
    // "5" in the 3×5 font has 11 lit cells, drawn at scale 2 → 44 pixels
    expect(white).toBe(44);
  });

  it("draws different counts differently", () => {
    const a = renderOverlayBitmap(1)!.data;
    const b = renderOverlayBitmap(8)!.data;
    const c = renderOverlayBitmap(42)!.data; // "9+"
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(Buffer.from(b).equals(Buffer.from(c))).toBe(false);
  });
});

describe("offline page", () => {
  it("backs off exponentially up to a cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 100, -1, Number.NaN].map(retryDelayMs)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, RETRY_MAX_MS, 1000, 1000,
    ]);
  });

  it("escapes everything it shows", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const html = offlinePageHtml({ serverUrl: "http://h/<script>alert(1)</script>", retryInMs: 4000, error: "<img src=x onerror=alert(1)>" });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("again in 4 s");
  });

  it("carries its own script-free CSP and is a data: URL", () => {
    const url = offlinePageDataUrl({ serverUrl: "http://127.0.0.1:3000/", retryInMs: 1000 });
    expect(url.startsWith("data:text/html;charset=utf-8,")).toBe(true);
    const html = decodeURIComponent(url.slice(url.indexOf(",") + 1));
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script/i);
  });
});
