/**
 * The link-preview fetcher's SSRF guard: which IP addresses the gateway may connect to when it
 * fetches a page named in a message. Only globally routable unicast addresses: never loopback,
 * private, link-local (cloud metadata lives at 169.254.169.254), CGNAT, multicast, unspecified,
 * documentation / benchmark / reserved ranges, IPv6 ULA and link-local, nor an IPv6 address that
 * embeds one of those IPv4 addresses (IPv4-mapped, IPv4-compatible, NAT64; 6to4 and Teredo are
 * refused whole). Addresses are compared as numbers, so no spelling of one slips through.
 */
import { isIP } from "node:net";

export interface Cidr {
  family: 4 | 6;
  /** The network, as a number of 32 or 128 bits. */
  base: bigint;
  bits: number;
}

const V4_BLOCKED = [
  "0.0.0.0/8", // "this network", incl. the unspecified 0.0.0.0
  "10.0.0.0/8", // private
  "100.64.0.0/10", // CGNAT (shared address space)
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local, incl. cloud metadata 169.254.169.254
  "172.16.0.0/12", // private
  "192.0.0.0/24", // IETF protocol assignments
  "192.0.2.0/24", // TEST-NET-1
  "192.88.99.0/24", // 6to4 relay anycast
  "192.168.0.0/16", // private
  "198.18.0.0/15", // benchmarking
  "198.51.100.0/24", // TEST-NET-2
  "203.0.113.0/24", // TEST-NET-3
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, incl. broadcast 255.255.255.255
].map(mustParseCidr);

const V6_BLOCKED = [
  "::/128", // unspecified
  "::1/128", // loopback
  "100::/64", // discard-only
  "2001::/32", // Teredo (tunnels to an IPv4 address)
  "2001:db8::/32", // documentation
  "2002::/16", // 6to4 (embeds an IPv4 address)
  "fc00::/7", // unique local
  "fe80::/10", // link-local
  "fec0::/10", // site-local (deprecated)
  "ff00::/8", // multicast
].map(mustParseCidr);

/** ::ffff:0:0/96 (IPv4-mapped), ::/96 (IPv4-compatible), 64:ff9b::/96 (NAT64): the low 32 bits are an IPv4 address. */
const V6_EMBEDDING_V4 = ["::ffff:0:0/96", "::/96", "64:ff9b::/96", "64:ff9b:1::/48"].map(mustParseCidr);

/** A literal IPv4 / IPv6 address as a number, or null when `text` is not one. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | null {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const family = isIP(bare);
  if (family === 4) return { family: 4, value: ipv4Value(bare) };
  if (family === 6) return { family: 6, value: ipv6Value(bare) };
  return null;
}

/** `a.b.c.d/n` or `x:y::/n` (a bare address is /32 or /128); null when malformed or the host bits are set. */
export function parseCidr(text: string): Cidr | null {
  const [addr, bitsText, extra] = text.trim().split("/");
  if (addr === undefined || extra !== undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return null;
  const base = ip.value & mask(ip.family, bits);
  if (base !== ip.value) return null;
  return { family: ip.family, base, bits };
}

export function inCidr(ip: { family: 4 | 6; value: bigint }, cidr: Cidr): boolean {
  return ip.family === cidr.family && (ip.value & mask(cidr.family, cidr.bits)) === cidr.base;
}

/**
 * Why the gateway must not connect to `address` (a literal IP), or null when it may. `allow`
 * (DIM_LINK_PREVIEW_ALLOW_CIDRS, for tests that can reach loopback only) exempts its ranges.
 */
export function refusedAddress(address: string, allow: readonly Cidr[] = []): string | null {
  const ip = parseIp(address);
  if (!ip) return "not an IP address";
  if (allow.some((c) => inCidr(ip, c))) return null;
  if (ip.family === 4) return V4_BLOCKED.some((c) => inCidr(ip, c)) ? "a private, loopback, link-local or reserved IPv4 address" : null;
  const embedding = V6_EMBEDDING_V4.find((c) => inCidr(ip, c));
  if (embedding) {
    const v4 = { family: 4 as const, value: ip.value & 0xffff_ffffn };
    if (allow.some((c) => inCidr(v4, c))) return null;
    // The embedded IPv4 address decides (::ffff:8.8.8.8 is as public as 8.8.8.8), except that
    // ::/96 holds :: and ::1 themselves.
    if (ip.value <= 1n) return "the unspecified or loopback IPv6 address";
    return V4_BLOCKED.some((c) => inCidr(v4, c)) ? "an IPv6 address embedding a private, loopback, link-local or reserved IPv4 address" : null;
  }
  return V6_BLOCKED.some((c) => inCidr(ip, c)) ? "a loopback, unique-local, link-local, multicast or reserved IPv6 address" : null;
}

function mustParseCidr(text: string): Cidr {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`bad built-in CIDR ${text}`);
  return cidr;
}

function mask(family: 4 | 6, bits: number): bigint {
  const width = family === 4 ? 32n : 128n;
  const all = (1n << width) - 1n;
  return bits === 0 ? 0n : (all >> (width - BigInt(bits))) << (width - BigInt(bits));
}

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let s = text.split("%")[0]!; // a zone index names an interface, not an address
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v4 = ipv4Value(dotted[1]!);
    s = `${s.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.split("::") as [string, string | undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail === undefined ? [] : tail ? tail.split(":") : [];
  const fill = tail === undefined ? 0 : 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(fill).fill("0"), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
}
