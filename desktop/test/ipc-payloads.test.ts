import { describe, expect, it } from "vitest";
import { DesktopBridgeLimits } from "../src/bridge-types";
import { cleanNotificationText, isTrustedSender, parseNotifyPayload, parseUnreadCount } from "../src/main/ipc-payloads";

const conversationId = "0b6f1a2e-4c1d-4f5e-9a7b-3c2d1e0f9a8b";
const server = "http://127.0.0.1:3000";

describe("parseUnreadCount", () => {
  it("accepts integers from 0 to the maximum", () => {
    expect(parseUnreadCount(0)).toEqual({ ok: true, value: 0 });
    expect(parseUnreadCount(42)).toEqual({ ok: true, value: 42 });
    expect(parseUnreadCount(DesktopBridgeLimits.unreadMax)).toEqual({ ok: true, value: DesktopBridgeLimits.unreadMax });
  });

  it.each([[-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [DesktopBridgeLimits.unreadMax + 1], ["3"], [null], [undefined], [{}]])(
    "rejects %j",
    (value) => {
      const parsed = parseUnreadCount(value);
      expect(parsed.ok).toBe(false);
    },
  );
});

describe("parseNotifyPayload", () => {
  it("accepts a valid notification and cleans its text", () => {
    const parsed = parseNotifyPayload({ title: "  Alice\u202e ", body: "hi\u0007 there\n\n\n\nbye", conversationId });
    expect(parsed).toEqual({ ok: true, value: { title: "Alice", body: "hi there\n\nbye", conversationId } });
  });

  it("allows an empty body but not an empty title", () => {
    expect(parseNotifyPayload({ title: "Bob", body: "", conversationId }).ok).toBe(true);
    expect(parseNotifyPayload({ title: " \u0000 ", body: "x", conversationId }).ok).toBe(false);
  });

  it("bounds every field", () => {
    expect(parseNotifyPayload({ title: "t".repeat(DesktopBridgeLimits.titleMax), body: "b".repeat(DesktopBridgeLimits.bodyMax), conversationId }).ok).toBe(true);
    expect(parseNotifyPayload({ title: "t".repeat(DesktopBridgeLimits.titleMax + 1), body: "", conversationId }).ok).toBe(false);
    expect(parseNotifyPayload({ title: "t", body: "b".repeat(DesktopBridgeLimits.bodyMax + 1), conversationId }).ok).toBe(false);
    expect(parseNotifyPayload({ title: "t", body: "b".repeat(1_000_000), conversationId }).ok).toBe(false);
  });

  it.each([
    ["missing field", { title: "t", body: "b" }],
    ["extra field", { title: "t", body: "b", conversationId, icon: "file:///etc/passwd" }],
    ["bad conversation id", { title: "t", body: "b", conversationId: "../../etc" }],
    ["wrong types", { title: 1, body: "b", conversationId }],
    ["not an object", "hello"],
    ["null", null],
  ])("rejects a payload with %s", (_name, payload) => {
    const parsed = parseNotifyPayload(payload);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.length).toBeGreaterThan(0);
  });
});

describe("cleanNotificationText", () => {
  it("collapses whitespace on one line, keeps paragraph breaks in bodies", () => {
    expect(cleanNotificationText("a \t\n b", { multiline: false })).toBe("a b");
    expect(cleanNotificationText("a  b\nc", { multiline: true })).toBe("a b\nc");
  });
});

describe("isTrustedSender", () => {
  const good = { frameUrl: `${server}/`, isTopFrame: true, isAppWindow: true };
  it("trusts only the app window's top frame on the server's origin", () => {
    expect(isTrustedSender(good, server)).toBe(true);
    expect(isTrustedSender({ ...good, isTopFrame: false }, server)).toBe(false);
    expect(isTrustedSender({ ...good, isAppWindow: false }, server)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: "https://evil.example/" }, server)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: "data:text/html,x" }, server)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: undefined }, server)).toBe(false);
  });
});
