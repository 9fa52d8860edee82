import { describe, expect, it } from "vitest";
import {
  decideNavigation,
  decideWindowOpen,
  isPermissionAllowed,
  isRedirectAllowed,
  isSameOrigin,
  MAX_EXTERNAL_URL_LENGTH,
  validateExternalUrl,
} from "../src/main/url-policy";

const server = "http://127.0.0.1:3000";

describe("validateExternalUrl", () => {
  it("accepts absolute http and https URLs and normalises them", () => {
    expect(validateExternalUrl("https://example.com")).toBe("https://example.com/");
    expect(validateExternalUrl("http://example.com/a?b=c#d")).toBe("http://example.com/a?b=c#d");
    expect(validateExternalUrl("HTTPS://EXAMPLE.com/x")).toBe("https://example.com/x");
  });

  it.each([
    ["javascript:alert(1)"],
    ["JavaScript:alert(1)"],
    ["file:///etc/passwd"],
    ["data:text/html,<script>alert(1)</script>"],
    ["vbscript:msgbox"],
    ["smb://host/share"],
    ["ms-msdt:/id PCWDiagnostic"],
    ["mailto:a@example.com"],
    ["ftp://example.com/"],
    ["chrome://settings"],
    ["//example.com/protocol-relative"],
    ["/relative/path"],
    ["not a url"],
    [""],
  ])("refuses %s", (raw) => {
    expect(validateExternalUrl(raw)).toBeNull();
  });

  it("refuses URLs with credentials", () => {
    expect(validateExternalUrl("https://user:pass@example.com/")).toBeNull();
    expect(validateExternalUrl("https://user@example.com/")).toBeNull();
  });

  it("refuses raw whitespace and control characters (which the URL parser would silently drop)", () => {
    expect(validateExternalUrl("https://exa\nmple.com/")).toBeNull();
    expect(validateExternalUrl("java\tscript:alert(1)")).toBeNull();
    expect(validateExternalUrl(" https://example.com/")).toBeNull();
    expect(validateExternalUrl("https://example.com/\u0000")).toBeNull();
    expect(validateExternalUrl("https://example.com/\u0085")).toBeNull();
  });

  it("refuses overlong URLs and non-strings", () => {
    expect(validateExternalUrl(`https://example.com/${"a".repeat(MAX_EXTERNAL_URL_LENGTH)}`)).toBeNull();
    expect(validateExternalUrl(`https://example.com/${"a".repeat(100)}`)).not.toBeNull();
    expect(validateExternalUrl(undefined)).toBeNull();
    expect(validateExternalUrl(42)).toBeNull();
    expect(validateExternalUrl({ href: "https://example.com" })).toBeNull();
  });
});

describe("navigation policy", () => {
  it("allows the server's own origin only (scheme, host and port)", () => {
    expect(isSameOrigin("http://127.0.0.1:3000/login", server)).toBe(true);
    expect(isSameOrigin("http://127.0.0.1:3001/", server)).toBe(false);
    expect(isSameOrigin("https://127.0.0.1:3000/", server)).toBe(false);
    expect(isSameOrigin("http://localhost:3000/", server)).toBe(false);
    expect(isSameOrigin("http://127.0.0.1:3000@evil.example/", server)).toBe(false);
    expect(isSameOrigin("data:text/html,hi", server)).toBe(false);
    expect(isSameOrigin("garbage", server)).toBe(false);
  });

  it("keeps in-app navigation, sends other web pages to the browser, drops the rest", () => {
    expect(decideNavigation("http://127.0.0.1:3000/register", server)).toEqual({ action: "allow" });
    expect(decideNavigation("https://example.com/page", server)).toEqual({ action: "open-external", url: "https://example.com/page" });
    expect(decideNavigation("file:///etc/passwd", server)).toEqual({ action: "deny" });
    expect(decideNavigation("javascript:alert(1)", server)).toEqual({ action: "deny" });
  });

  it("never opens a new window in the app", () => {
    expect(decideWindowOpen("https://example.com/")).toEqual({ action: "open-external", url: "https://example.com/" });
    expect(decideWindowOpen("about:blank")).toEqual({ action: "deny" });
    expect(decideWindowOpen("file:///c:/windows/system32/calc.exe")).toEqual({ action: "deny" });
  });

  it("allows redirects only within the server's origin", () => {
    expect(isRedirectAllowed("http://127.0.0.1:3000/login", server)).toBe(true);
    expect(isRedirectAllowed("https://evil.example/", server)).toBe(false);
  });
});

describe("permissions", () => {
  it("grants notifications to the server's origin and nothing else", () => {
    expect(isPermissionAllowed("notifications", "http://127.0.0.1:3000/", server)).toBe(true);
    expect(isPermissionAllowed("notifications", "http://127.0.0.1:3000", server)).toBe(true);
    expect(isPermissionAllowed("notifications", "https://evil.example/", server)).toBe(false);
    for (const p of ["media", "geolocation", "openExternal", "clipboard-read", "fullscreen", "midiSysex", "unknown"]) {
      expect(isPermissionAllowed(p, "http://127.0.0.1:3000/", server)).toBe(false);
    }
  });
});
