/** The drawing helpers: the ThumbHash blur, an image's box, a file's size in words. */
import sharp from "sharp";
import { rgbaToThumbHash } from "thumbhash";
import { describe, expect, it } from "vitest";
import { fitImage, formatBytes, placeholderDataUrl } from "../src";

async function thumbHashOf(width: number, height: number): Promise<string> {
  const { data, info } = await sharp({ create: { width, height, channels: 4, background: { r: 250, g: 120, b: 20, alpha: 1 } } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString("base64");
}

describe("attachment display helpers", () => {
  it("turns a ThumbHash into a small PNG data URL of its colour; nothing for none or garbage", async () => {
    const url = placeholderDataUrl(await thumbHashOf(100, 50));
    expect(url).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(url!.split(",")[1]!, "base64");
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBeGreaterThan(info.height); // 2:1 comes back landscape
    expect(Math.abs(data[0]! - 250)).toBeLessThan(30); // and orange
    expect(placeholderDataUrl(undefined)).toBeNull();
    expect(placeholderDataUrl("")).toBeNull();
    expect(placeholderDataUrl("%%%not base64")).toBeNull();
  });

  it("fits an image into a box at its own ratio, never enlarged", async () => {
    expect(fitImage({ width: 800, height: 600 }, 280, 320)).toEqual({ width: 280, height: 210 });
    expect(fitImage({ width: 600, height: 1200 }, 280, 320)).toEqual({ width: 160, height: 320 });
    expect(fitImage({ width: 40, height: 20 }, 280, 320)).toEqual({ width: 40, height: 20 });
    // No size yet: the ThumbHash's ratio, else 4:3.
    const wide = fitImage({ placeholder: await thumbHashOf(100, 50) }, 280, 320);
    expect(wide.width / wide.height).toBeGreaterThan(1.5);
    expect(fitImage({}, 280, 320)).toEqual({ width: 280, height: 210 });
  });

  it("says sizes as file managers do", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3 MB");
    expect(formatBytes(25 * 1024 * 1024)).toBe("25 MB");
  });
});
