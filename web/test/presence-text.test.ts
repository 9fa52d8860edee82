import { describe, expect, it } from "vitest";
import { presenceText, relativeTime, typingText } from "../src/lib/presence-text";

const now = new Date("2026-03-10T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const id = "6f1c1c1e-8a53-4b8e-9a43-0c3bb0d6a7c1";

describe("typing line", () => {
  it("names up to three people, then says several", () => {
    expect(typingText([])).toBeNull();
    expect(typingText(["Ana"])).toBe("Ana is typing…");
    expect(typingText(["Ana", "Ben"])).toBe("Ana and Ben are typing…");
    expect(typingText(["Ana", "Ben", "Cy"])).toBe("Ana, Ben and Cy are typing…");
    expect(typingText(["Ana", "Ben", "Cy", "Dee"])).toBe("Several people are typing…");
  });
});

describe("online / last seen", () => {
  it("says online, last seen some time ago, or nothing when unknown or hidden", () => {
    expect(presenceText(undefined, now)).toBeNull();
    expect(presenceText({ userId: id, online: true, lastSeenAt: null }, now)).toBe("online");
    expect(presenceText({ userId: id, online: false, lastSeenAt: null }, now)).toBeNull();
    expect(presenceText({ userId: id, online: false, lastSeenAt: ago(5 * 60_000) }, now)).toBe("last seen 5 min ago");
  });

  it("counts in minutes, hours, days, then gives the date", () => {
    expect(relativeTime(ago(20_000), now)).toBe("just now");
    expect(relativeTime(ago(-5_000), now)).toBe("just now"); // a clock a little ahead
    expect(relativeTime(ago(59 * 60_000), now)).toBe("59 min ago");
    expect(relativeTime(ago(3 * 3_600_000), now)).toBe("3 h ago");
    expect(relativeTime(ago(30 * 3_600_000), now)).toBe("yesterday");
    expect(relativeTime(ago(4 * 86_400_000), now)).toBe("4 days ago");
    expect(relativeTime(ago(40 * 86_400_000), now)).toMatch(/^on /);
  });
});
