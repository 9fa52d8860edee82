/**
 * Fetches the page a link preview is made from, under strict limits: http/https only, ports 80
 * and 443 only, no credentials in the URL; every address the host resolves to must pass the SSRF
 * guard (address-guard.ts) and the socket connects to exactly the addresses checked (the guard
 * runs inside the connection's own DNS lookup, so a second resolution cannot swap in another:
 * no DNS-rebinding window); at most `maxRedirects` redirects, each one checked as the first URL;
 * one total deadline over every hop; only text/html is read, and at most `maxBytes` of it
 * (decompressed), the rest is cut off.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Readable } from "node:stream";
import { inCidr, parseIp, refusedAddress, type Cidr } from "./address-guard";

export interface FetchLimits {
  /** Most bytes of the body read (after decompression); the rest is not read. */
  maxBytes: number;
  /** One deadline for the whole fetch, redirects included. */
  timeoutMs: number;
  maxRedirects: number;
  /** Ranges exempt from the guard, on any port (tests only: DIM_LINK_PREVIEW_ALLOW_CIDRS). */
  allow: readonly Cidr[];
}

/** Why a page gave no preview (also what the cache remembers). */
export type FetchRefusal =
  | "bad_url"
  | "refused_port"
  | "refused_address"
  | "dns_failed"
  | "timeout"
  | "too_many_redirects"
  | "http_error"
  | "not_html"
  | "network_error";

export type FetchOutcome =
  | { ok: true; url: string; contentType: string; body: Buffer; truncated: boolean }
  | { ok: false; reason: FetchRefusal; detail: string };

const STANDARD_PORTS = new Set(["", "80", "443"]);
const HTML_TYPES = ["text/html", "application/xhtml+xml"];

class Refused extends Error {
  constructor(
    readonly reason: FetchRefusal,
    detail: string,
  ) {
    super(detail);
  }
}

export async function fetchPage(url: string, limits: FetchLimits): Promise<FetchOutcome> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const target = checkedUrl(current, limits.allow);
      const answer = await requestOnce(target, limits, deadline);
      if (answer.kind === "page") return { ok: true, url: target.href, ...answer.page };
      if (hop >= limits.maxRedirects) throw new Refused("too_many_redirects", `more than ${limits.maxRedirects} redirects`);
      current = new URL(answer.location, target).href;
    }
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.reason, detail: error.message };
    if (deadline.aborted) return { ok: false, reason: "timeout", detail: `no whole answer within ${limits.timeoutMs} ms` };
    return { ok: false, reason: "network_error", detail: error instanceof Error ? error.message : String(error) };
  }
}

/** The URL, if it may be fetched at all (before any address is known). */
function checkedUrl(text: string, allow: readonly Cidr[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Refused("bad_url", "not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Refused("bad_url", `scheme ${url.protocol} is not fetched`);
  if (url.username || url.password) throw new Refused("bad_url", "URLs with credentials are not fetched");
  const literal = parseIp(url.hostname);
  if (literal) {
    const why = refusedAddress(url.hostname, allow);
    if (why) throw new Refused("refused_address", `${url.hostname} is ${why}`);
  }
  if (!STANDARD_PORTS.has(url.port)) {
    // Ports other than 80 / 443 reach services no web page lives on (mail, databases, admin
    // consoles): only an allowed (test) range may use them. For a name that may still be so,
    // guardedLookup decides once the addresses are known.
    const allowedLiteral = literal !== null && allow.some((c) => inCidr(literal, c));
    const undecidedName = literal === null && allow.length > 0;
    if (!allowedLiteral && !undecidedName) throw new Refused("refused_port", `port ${url.port} is not fetched (only 80 and 443)`);
  }
  return url;
}

/**
 * The connection's DNS lookup: resolves every address, refuses them all if any one is refused
 * (a name that mixes public and private addresses is not to be trusted), and hands the socket
 * only checked ones. Node calls it with `all: true` when it races address families.
 */
function guardedLookup(url: URL, allow: readonly Cidr[]): LookupFunction {
  const standardPort = STANDARD_PORTS.has(url.port);
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(new Refused("dns_failed", `${hostname} does not resolve: ${err.code ?? err.message}`), "", 0);
      if (addresses.length === 0) return callback(new Refused("dns_failed", `${hostname} has no address`), "", 0);
      for (const a of addresses) {
        const why = refusedAddress(a.address, allow);
        if (why) return callback(new Refused("refused_address", `${hostname} resolves to ${a.address}, ${why}`), "", 0);
        const ip = parseIp(a.address)!;
        if (!standardPort && !allow.some((c) => inCidr(ip, c))) {
          return callback(new Refused("refused_port", `port ${url.port} is not fetched (only 80 and 443)`), "", 0);
        }
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

type Answer = { kind: "redirect"; location: string } | { kind: "page"; page: { contentType: string; body: Buffer; truncated: boolean } };

function requestOnce(url: URL, limits: FetchLimits, deadline: AbortSignal): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(
      url,
      {
        method: "GET",
        agent: false, // no pooled socket: each connection goes through the guarded lookup
        lookup: guardedLookup(url, limits.allow),
        signal: deadline,
        headers: {
          "user-agent": "DIM-link-preview/1",
          accept: "text/html,application/xhtml+xml;q=0.9",
          "accept-encoding": "gzip, deflate, br",
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location) {
          res.destroy();
          return resolve({ kind: "redirect", location });
        }
        if (status < 200 || status >= 300) {
          res.destroy();
          return reject(new Refused("http_error", `HTTP ${status}`));
        }
        const contentType = (res.headers["content-type"] ?? "").toLowerCase();
        if (!HTML_TYPES.some((t) => contentType.split(";")[0]!.trim() === t)) {
          res.destroy();
          return reject(new Refused("not_html", `content type '${contentType || "none"}' is not HTML`));
        }
        readCapped(res, limits.maxBytes).then(({ body, truncated }) => resolve({ kind: "page", page: { contentType, body, truncated } }), reject);
      },
    );
    req.on("error", (err) => reject(err instanceof Refused ? err : (err as NodeJS.ErrnoException).cause instanceof Refused ? (err as NodeJS.ErrnoException).cause : err));
    req.end();
  });
}

/** Reads at most `max` bytes of the (decoded) body, then stops reading and closes the response. */
function readCapped(res: IncomingMessage, max: number): Promise<{ body: Buffer; truncated: boolean }> {
  const encoding = (res.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  const decoder = encoding === "gzip" || encoding === "x-gzip" ? createGunzip() : encoding === "deflate" ? createInflate() : encoding === "br" ? createBrotliDecompress() : null;
  if (!decoder && encoding !== "identity") {
    res.destroy();
    return Promise.reject(new Refused("not_html", `content encoding '${encoding}' is not read`));
  }
  const stream: Readable = decoder ? res.pipe(decoder) : res;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean) => {
      if (done) return;
      done = true;
      res.destroy();
      decoder?.destroy();
      resolve({ body: Buffer.concat(chunks, size), truncated });
    };
    stream.on("data", (chunk: Buffer) => {
      if (done) return;
      const room = max - size;
      if (chunk.length >= room) {
        chunks.push(chunk.subarray(0, room));
        size += room;
        return finish(true);
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    stream.on("end", () => finish(false));
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      res.destroy();
      reject(err);
    };
    stream.on("error", fail);
    res.on("aborted", () => fail(new Error("response aborted")));
    res.on("error", fail);
  });
}
