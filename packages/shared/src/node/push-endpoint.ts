/**
 * Which push endpoints DIM talks to. A push endpoint is a URL a browser handed us: without a
 * check, anyone could make a core node POST to an address inside its network (SSRF). So an
 * endpoint must be https on a public host; the gateway checks the URL when it stores a
 * subscription, and core nodes check every address the host resolves to when they connect
 * (DNS may change in between). `allowLoopback` (DIM_PUSH_ALLOW_LOOPBACK, tests and development)
 * also accepts http and https on loopback, and nothing else private.
 */
import { BlockList, isIP } from "node:net";

/** Addresses that are not on the public Internet (RFC 6890 special-purpose, IPv4 and IPv6). */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv6");
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

function family(ip: string): "ipv4" | "ipv6" | undefined {
  const v = isIP(ip);
  return v === 4 ? "ipv4" : v === 6 ? "ipv6" : undefined;
}

/**
 * A literal IP address on the public Internet. IPv4-mapped IPv6 (::ffff:a.b.c.d) never is: a
 * BlockList rule for that range would also match every plain IPv4 address, so it is refused here.
 */
export function isPublicAddress(ip: string): boolean {
  const f = family(ip);
  if (f === "ipv6" && /^::ffff:/i.test(ip)) return false;
  return f !== undefined && !NON_PUBLIC.check(ip, f);
}

export function isLoopbackAddress(ip: string): boolean {
  const f = family(ip);
  return f !== undefined && LOOPBACK.check(ip, f);
}

/** Whether a node may connect to `ip` for a push. */
export function pushAddressAllowed(ip: string, allowLoopback: boolean): boolean {
  return isPublicAddress(ip) || (allowLoopback && isLoopbackAddress(ip));
}

/** Why an endpoint URL is refused; undefined when it is accepted. */
export function pushEndpointProblem(endpoint: string, allowLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "endpoint is not a URL";
  }
  if (url.username !== "" || url.password !== "") return "endpoint must not carry credentials";
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const loopback = isLoopbackAddress(host) || host === "localhost";
  if (allowLoopback && loopback) return url.protocol === "https:" || url.protocol === "http:" ? undefined : "endpoint must be an http(s) URL";
  if (url.protocol !== "https:") return "endpoint must be an https URL";
  if (host === "localhost" || host.endsWith(".localhost") || !host.includes(".") && family(host) === undefined) return "endpoint must be on a public host";
  if (family(host) !== undefined && !isPublicAddress(host)) return "endpoint must be on a public address";
  return undefined;
}
