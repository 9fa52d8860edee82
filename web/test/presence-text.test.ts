import { describe, expect, it } from "vitest";
import { presenceText, relativeTime, typingText } from "../src/lib/presence-text";
import { EN, EN_FORMAT, ZH, ZH_FORMAT } from "./helpers/i18n";

const now = new Date("2026-03-10T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const id = "6f1c1c1e-8a53-4b8e-9a43-0c3bb0d6a7c1";

describe("typing line", () => {
  it("names up to three people, then says several", () => {
    expect(typingText([], EN)).toBeNull();
    expect(typingText(["Ana"], EN)).toBe("Ana is typing…");
    expect(typingText(["Ana", "Ben"], EN)).toBe("Ana and Ben are typing…");
    expect(typingText(["Ana", "Ben", "Cy"], EN)).toBe("Ana, Ben and Cy are typing…");
    expect(typingText(["Ana", "Ben", "Cy", "Dee"], EN)).toBe("Several people are typing…");
  });
});

describe("online / last seen", () => {
  it("says online, last seen some time ago, or nothing when unknown or hidden", () => {
    expect(presenceText(undefined, EN, EN_FORMAT, now)).toBeNull();
    expect(presenceText({ userId: id, online: true, lastSeenAt: null }, EN, EN_FORMAT, now)).toBe("online");
    expect(presenceText({ userId: id, online: false, lastSeenAt: null }, EN, EN_FORMAT, now)).toBeNull();
    expect(presenceText({ userId: id, online: false, lastSeenAt: ago(5 * 60_000) }, EN, EN_FORMAT, now)).toBe("last seen 5 min ago");
  });

  it("counts in minutes, hours, days, then gives the date", () => {
    expect(relativeTime(ago(20_000), EN, EN_FORMAT, now)).toBe("just now");
    expect(relativeTime(ago(-5_000), EN, EN_FORMAT, now)).toBe("just now"); // a clock a little ahead
    expect(relativeTime(ago(59 * 60_000), EN, EN_FORMAT, now)).toBe("59 min ago");
    expect(relativeTime(ago(3 * 3_600_000), EN, EN_FORMAT, now)).toBe("3 h ago");
    expect(relativeTime(ago(30 * 3_600_000), EN, EN_FORMAT, now)).toBe("yesterday");
    expect(relativeTime(ago(4 * 86_400_000), EN, EN_FORMAT, now)).toBe("4 days ago");
    expect(relativeTime(ago(40 * 86_400_000), EN, EN_FORMAT, now)).toMatch(/^on /);
  });

  it("says it in Chinese, dates included", () => {
    expect(presenceText({ userId: id, online: true, lastSeenAt: null }, ZH, ZH_FORMAT, now)).toBe("在线");
    expect(presenceText({ userId: id, online: false, lastSeenAt: ago(5 * 60_000) }, ZH, ZH_FORMAT, now)).toBe("最后在线：5 分钟前");
    expect(relativeTime(ago(4 * 86_400_000), ZH, ZH_FORMAT, now)).toBe("4 天前");
    expect(relativeTime(ago(40 * 86_400_000), ZH, ZH_FORMAT, now)).toMatch(/^于 2026年1月2?\d日$/);
    expect(typingText(["Ana", "Ben"], ZH)).toBe("Ana 和 Ben 正在输入…");
  });
});
