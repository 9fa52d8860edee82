import { describe, expect, it } from "vitest";
import { parseCidr, refusedAddress } from "../src/link-preview/address-guard";

describe("link previews: the SSRF guard's address rule", () => {
  it("refuses loopback, private, link-local (cloud metadata), CGNAT, multicast, unspecified and reserved IPv4", () => {
    for (const ip of [
      "127.0.0.1",
      "127.255.255.254",
      "10.0.0.1",
      "10.255.255.255",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "169.254.0.1",
      "100.64.0.1",
      "100.127.255.255",
      "224.0.0.1",
      "239.255.255.250",
      "0.0.0.0",
      "0.1.2.3",
      "255.255.255.255",
      "240.0.0.1",
      "192.0.2.10",
      "198.18.0.1",
    ]) {
      expect(refusedAddress(ip), ip).not.toBeNull();
    }
  });

  it("allows public IPv4, including the neighbours of the refused ranges", () => {
    for (const ip of ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "169.253.255.255", "11.0.0.1", "192.169.0.1", "223.255.255.255"]) {
      expect(refusedAddress(ip), ip).toBeNull();
    }
  });

  it("refuses IPv6 loopback, unspecified, ULA fc00::/7, link-local fe80::/10, multicast, and IPv4-mapped / NAT64 forms of refused IPv4", () => {
    for (const ip of [
      "::1",
      "::",
      "0:0:0:0:0:0:0:1",
      "fc00::1",
      "fd12:3456:789a::1",
      "fe80::1",
      "fe80::1%eth0",
      "febf:ffff::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.1.2.3",
      "::ffff:169.254.169.254",
      "::ffff:192.168.0.1",
      "::127.0.0.1",
      "64:ff9b::10.0.0.1",
      "2002:7f00:1::1",
      "2001:0:4136:e378:8000:63bf:3fff:fdd2",
      "2001:db8::1",
      "[::1]",
    ]) {
      expect(refusedAddress(ip), ip).not.toBeNull();
    }
  });

  it("allows public IPv6 and IPv4-mapped public IPv4", () => {
    for (const ip of ["2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2a00:1450:4001::1"]) {
      expect(refusedAddress(ip), ip).toBeNull();
    }
  });

  it("refuses what is not an IP address at all", () => {
    expect(refusedAddress("localhost")).not.toBeNull();
    expect(refusedAddress("")).not.toBeNull();
  });

  it("the tests-only allow list exempts exactly its ranges", () => {
    const allow = [parseCidr("127.0.0.1/32")!];
    expect(refusedAddress("127.0.0.1", allow)).toBeNull();
    expect(refusedAddress("::ffff:127.0.0.1", allow)).toBeNull();
    expect(refusedAddress("127.0.0.2", allow)).not.toBeNull();
    expect(refusedAddress("10.0.0.1", allow)).not.toBeNull();
    expect(refusedAddress("::1", [parseCidr("::1/128")!])).toBeNull();
  });

  it("parses CIDRs strictly", () => {
    expect(parseCidr("10.0.0.0/8")).toMatchObject({ family: 4, bits: 8 });
    expect(parseCidr("127.0.0.1")).toMatchObject({ family: 4, bits: 32 });
    expect(parseCidr("fc00::/7")).toMatchObject({ family: 6, bits: 7 });
    for (const bad of ["10.0.0.1/8", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8/1", "localhost/32", "1.2.3/24", "10.0.0.0/-1", "10.0.0.0/ 8"]) {
      expect(parseCidr(bad), bad).toBeNull();
    }
  });
});
