import { describe, expect, it } from "vitest";
import { buildCsp, withCspHeader } from "../src/main/csp";

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe("buildCsp", () => {
  const serverOrigin = "http://127.0.0.1:3000";

  it("is deny-by-default, same-origin, with no frames, objects or eval", () => {
    const d = directives(buildCsp({ serverOrigin }));
    expect(d.get("default-src")).toEqual(["'none'"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("frame-src")).toEqual(["'none'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'self'"]);
    expect(d.get("form-action")).toEqual(["'self'"]);
    expect(d.get("script-src")).toEqual(["'self'", serverOrigin, "'unsafe-inline'"]);
    expect(d.get("script-src")).not.toContain("'unsafe-eval'");
    expect(d.get("worker-src")).toEqual(["'self'", serverOrigin]);
    for (const [, values] of d) {
      expect(values).not.toContain("*");
      expect(values).not.toContain("http:");
      expect(values).not.toContain("https:");
    }
  });

  it("shows images from the DIM server (attachments via /api/files) and blob: URLs (cached thumbnails), nothing foreign", () => {
    const d = directives(buildCsp({ serverOrigin }));
    expect(d.get("img-src")).toEqual(["'self'", serverOrigin, "data:", "blob:"]);
    expect(d.get("media-src")).toEqual(["'self'", serverOrigin]);
  });

  it("lets WebSockets reach core nodes on any host by default (they are assigned at run time)", () => {
    const d = directives(buildCsp({ serverOrigin }));
    expect(d.get("connect-src")).toEqual(["'self'", serverOrigin, "ws://127.0.0.1:3000", "ws:", "wss:"]);
  });

  it("restricts WebSockets to the listed core node origins when given", () => {
    const d = directives(buildCsp({ serverOrigin: "https://dim.example", coreNodeOrigins: ["wss://n1.dim.example", "https://n2.dim.example:8443"] }));
    expect(d.get("connect-src")).toEqual([
      "'self'",
      "https://dim.example",
      "wss://dim.example",
      "wss://n1.dim.example",
      "https://n2.dim.example:8443",
      "wss://n2.dim.example:8443",
    ]);
    expect(d.get("connect-src")).not.toContain("ws:");
  });

  it("allows eval only for a dev server", () => {
    expect(directives(buildCsp({ serverOrigin, dev: true })).get("script-src")).toContain("'unsafe-eval'");
  });
});

describe("withCspHeader", () => {
  const csp = "default-src 'none'";

  it("adds the policy when the server sent none", () => {
    expect(withCspHeader({ "content-type": ["text/html"] }, csp)).toEqual({
      "content-type": ["text/html"],
      "Content-Security-Policy": [csp],
    });
    expect(withCspHeader(undefined, csp)).toEqual({ "Content-Security-Policy": [csp] });
  });

  it("keeps the server's policy and appends ours (both are enforced), whatever the header's case", () => {
    const headers = { "content-security-policy": ["default-src 'self'"], "x-other": "1" };
    const out = withCspHeader(headers, csp);
    expect(out).toEqual({ "content-security-policy": ["default-src 'self'", csp], "x-other": ["1"] });
    expect(Object.keys(out).filter((k) => k.toLowerCase() === "content-security-policy")).toHaveLength(1);
    expect(headers["content-security-policy"]).toEqual(["default-src 'self'"]); // input untouched
  });
});
