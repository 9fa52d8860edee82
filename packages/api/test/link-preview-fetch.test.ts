/**
 * The link-preview fetcher against real servers on loopback: refused by default (loopback is
 * what the SSRF guard exists to refuse), then reached through the tests-only allow list to check
 * redirects (re-checked at every hop), size and time caps, and what is parsed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCidr } from "../src/link-preview/address-guard";
import { fetchPage, type FetchLimits } from "../src/link-preview/fetch-page";
import { parsePreview } from "../src/link-preview/parse-preview";

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Plain title</title>
<meta property="og:title" content="The &amp; real &#x1F600; title">
<meta name="description" content="A page about &quot;things&quot;.">
<meta property="og:site_name" content="Example Site"></head><body>hello</body></html>`;

let server: Server;
let base: string;
/** Bytes the oversize route managed to write before the fetcher hung up. */
let oversizeWritten = 0;
/** Requests the server has received. */
let hits = 0;

function route(req: IncomingMessage, res: ServerResponse): void {
  hits++;
  const url = new URL(req.url ?? "/", "http://x");
  switch (url.pathname) {
    case "/page":
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
      return;
    case "/gzip":
      res.writeHead(200, { "content-type": "text/html", "content-encoding": "gzip" }).end(gzipSync(PAGE));
      return;
    case "/redirect":
      res.writeHead(302, { location: url.searchParams.get("to") ?? "/page" }).end();
      return;
    case "/loop":
      res.writeHead(301, { location: "/loop" }).end();
      return;
    case "/json":
      res.writeHead(200, { "content-type": "application/json" }).end('{"title":"no"}');
      return;
    case "/missing":
      res.writeHead(404, { "content-type": "text/html" }).end("<title>Not found</title>");
      return;
    case "/huge": {
      // 64 MiB of HTML, written as fast as the socket takes it, until the fetcher hangs up.
      res.writeHead(200, { "content-type": "text/html" });
      res.write("<html><head><title>Huge</title></head><body>");
      const chunk = Buffer.alloc(64 * 1024, "a");
      let left = 1024;
      const pump = () => {
        while (left > 0) {
          left--;
          oversizeWritten += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => (left = 0));
      pump();
      return;
    }
    case "/slow": {
      // Headers at once, then a byte a second: never done within the deadline.
      res.writeHead(200, { "content-type": "text/html" });
      res.write("<html><head><title>Slow");
      const timer = setInterval(() => res.write("."), 1000);
      res.on("close", () => clearInterval(timer));
      return;
    }
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const DEFAULTS: FetchLimits = { maxBytes: 64 * 1024, timeoutMs: 10_000, maxRedirects: 3, allow: [] };
const ALLOW_LOOPBACK: FetchLimits = { ...DEFAULTS, allow: [parseCidr("127.0.0.1/32")!] };

describe("link previews: fetching a page", () => {
  it("refuses loopback, private and metadata addresses by default, before connecting", async () => {
    const before = hits;
    for (const url of [`${base}/page`, "http://127.0.0.1/page", "http://localhost/page", "http://[::1]/", "http://10.0.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0x7f.0.0.1/", "http://100.64.0.1/"]) {
      const outcome = await fetchPage(url, DEFAULTS);
      expect(outcome, url).toMatchObject({ ok: false });
      expect(["refused_address", "refused_port"], url).toContain(!outcome.ok && outcome.reason);
    }
    // A name that resolves to loopback is refused at the lookup, not only literal addresses.
    expect(await fetchPage("http://localhost/page", DEFAULTS)).toMatchObject({ ok: false, reason: "refused_address" });
    expect(hits).toBe(before);
  });

  it("refuses other schemes, credentials and non-standard ports", async () => {
    expect(await fetchPage("ftp://example.com/x", DEFAULTS)).toMatchObject({ ok: false, reason: "bad_url" });
    expect(await fetchPage("file:///etc/passwd", DEFAULTS)).toMatchObject({ ok: false, reason: "bad_url" });
    expect(await fetchPage("http://user:pw@example.com/", DEFAULTS)).toMatchObject({ ok: false, reason: "bad_url" });
    expect(await fetchPage("http://example.com:22/", DEFAULTS)).toMatchObject({ ok: false, reason: "refused_port" });
    expect(await fetchPage("not a url", DEFAULTS)).toMatchObject({ ok: false, reason: "bad_url" });
  });

  it("through the tests-only allow list: reads the page, and parses og:title, description, site name", async () => {
    const outcome = await fetchPage(`${base}/page`, ALLOW_LOOPBACK);
    expect(outcome).toMatchObject({ ok: true, truncated: false });
    if (!outcome.ok) throw new Error("unreachable");
    expect(parsePreview(outcome.body, outcome.contentType)).toEqual({ title: "The & real 😀 title", description: 'A page about "things".', siteName: "Example Site" });
    const gz = await fetchPage(`${base}/gzip`, ALLOW_LOOPBACK);
    expect(gz.ok && parsePreview(gz.body, gz.contentType)?.title).toBe("The & real 😀 title");
  });

  it("follows a redirect within the allowed range, re-checks every hop: a redirect to a private or metadata address is refused", async () => {
    expect(await fetchPage(`${base}/redirect?to=/page`, ALLOW_LOOPBACK)).toMatchObject({ ok: true, url: `${base}/page` });
    for (const to of ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://127.0.0.2/", "http://[::1]/", "http://[::ffff:10.0.0.1]/"]) {
      const outcome = await fetchPage(`${base}/redirect?to=${encodeURIComponent(to)}`, ALLOW_LOOPBACK);
      expect(outcome, to).toMatchObject({ ok: false });
      expect(["refused_address", "refused_port"], to).toContain(!outcome.ok && outcome.reason);
    }
    expect(await fetchPage(`${base}/redirect?to=${encodeURIComponent("gopher://x/")}`, ALLOW_LOOPBACK)).toMatchObject({ ok: false, reason: "bad_url" });
    expect(await fetchPage(`${base}/loop`, ALLOW_LOOPBACK)).toMatchObject({ ok: false, reason: "too_many_redirects" });
  });

  it("reads only HTML with a 2xx status", async () => {
    expect(await fetchPage(`${base}/json`, ALLOW_LOOPBACK)).toMatchObject({ ok: false, reason: "not_html" });
    expect(await fetchPage(`${base}/missing`, ALLOW_LOOPBACK)).toMatchObject({ ok: false, reason: "http_error" });
  });

  it("cuts an oversize page at maxBytes and hangs up (the server never writes it all)", async () => {
    oversizeWritten = 0;
    const outcome = await fetchPage(`${base}/huge`, ALLOW_LOOPBACK);
    expect(outcome).toMatchObject({ ok: true, truncated: true });
    if (!outcome.ok) throw new Error("unreachable");
    expect(outcome.body.length).toBe(DEFAULTS.maxBytes);
    expect(parsePreview(outcome.body, outcome.contentType)?.title).toBe("Huge");
    await new Promise((r) => setTimeout(r, 200));
    expect(oversizeWritten).toBeLessThan(64 * 1024 * 1024);
  });

  it("cuts a slow page at the deadline", async () => {
    expect(await fetchPage(`${base}/slow`, { ...ALLOW_LOOPBACK, timeoutMs: 1500 })).toMatchObject({ ok: false, reason: "timeout" });
  });
});

describe("link previews: parsing", () => {
  const parse = (html: string, type = "text/html") => parsePreview(Buffer.from(html), type);
  it("falls back to <title> and the description meta; bounds and cleans the fields; null when there is nothing", () => {
    expect(parse("<title>  Just\n a   title </title>")).toEqual({ title: "Just a title", description: null, siteName: null });
    expect(parse("<meta content='by content first' name=description><title>t</title>")).toEqual({ title: "t", description: "by content first", siteName: null });
    expect(parse(`<title>${"x".repeat(1000)}</title>`)?.title).toHaveLength(300);
    expect(parse("<title>a\u202eb\u0007c</title>")?.title).toBe("a b c");
    expect(parse("<title><script>alert(1)</script>Safe</title>")?.title).toBe("alert(1)Safe");
    expect(parse("<html><body>no head fields</body></html>")).toBeNull();
    // Only the head counts: a <title> in the body (an SVG's, say) is not the page's.
    expect(parse("<head></head><body><svg><title>icon</title></svg></body>")).toBeNull();
    expect(parsePreview(Buffer.from("<title>caf\xe9</title>", "latin1"), "text/html; charset=windows-1252")?.title).toBe("café");
  });
});
