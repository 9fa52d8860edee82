import { describe, expect, it } from "vitest";
import { buildCsp } from "../src/csp";

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split("; ").map((d) => d.split(" ")).map(([name, ...values]) => [name!, values]));
}

describe("the shared CSP builder", () => {
  it("adds the app's origins to every fetch directive, never to base-uri or form-action", () => {
    const d = directives(buildCsp({ appOrigins: ["https://dim.example"] }));
    for (const name of ["default-src", "script-src", "style-src", "img-src", "font-src", "connect-src", "worker-src", "manifest-src"]) {
      expect(d.get(name)?.slice(0, 2), name).toEqual(["'self'", "https://dim.example"]);
    }
    expect(d.get("base-uri")).toEqual(["'self'"]);
    expect(d.get("form-action")).toEqual(["'self'"]);
  });

  it("allows any WebSocket unless told where sockets may go, and lists each source once", () => {
    expect(directives(buildCsp()).get("connect-src")).toEqual(["'self'", "ws:", "wss:"]);
    expect(directives(buildCsp({ connectSources: ["wss://n1.example", "wss://n1.example", "'self'"] })).get("connect-src")).toEqual([
      "'self'",
      "wss://n1.example",
    ]);
  });

  it("denying by default also names media and refuses frames; otherwise neither is listed", () => {
    const strict = directives(buildCsp({ denyByDefault: true }));
    expect(strict.get("default-src")).toEqual(["'none'"]);
    expect([strict.get("media-src"), strict.get("frame-src"), strict.get("child-src")]).toEqual([["'self'"], ["'none'"], ["'none'"]]);
    const open = directives(buildCsp());
    expect(open.get("default-src")).toEqual(["'self'"]);
    expect(["media-src", "frame-src", "child-src"].filter((name) => open.has(name))).toEqual([]);
  });

  it("orders script sources: app, nonce with 'strict-dynamic', inline, eval", () => {
    expect(directives(buildCsp({ appOrigins: ["http://a"], nonce: "n0", inlineScripts: true, dev: true })).get("script-src")).toEqual([
      "'self'",
      "http://a",
      "'nonce-n0'",
      "'strict-dynamic'",
      "'unsafe-inline'",
      "'unsafe-eval'",
    ]);
  });
});
