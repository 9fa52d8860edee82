/** The node's single-use token set: reuse refused until expiry, memory bounded. */
import { describe, expect, it } from "vitest";
import { UsedTokens } from "../src/used-tokens";

describe("used tokens", () => {
  it("refuses a jti seen before, forgets it once it expired", () => {
    const used = new UsedTokens();
    expect(used.claim("a", 1_000, 0)).toBe("ok");
    expect(used.claim("a", 1_000, 500)).toBe("reused");
    expect(used.claim("b", 1_500, 600)).toBe("ok");
    // at 1000 "a" expired (a token past exp is refused by its signature check anyway)
    expect(used.claim("c", 2_000, 1_000)).toBe("ok");
    expect(used.size).toBe(2);
  });

  it("is bounded: beyond max unexpired entries a new token is refused, then accepted once some expire", () => {
    const used = new UsedTokens(3);
    for (const jti of ["a", "b", "c"]) expect(used.claim(jti, 1_000, 0)).toBe("ok");
    expect(used.claim("d", 1_000, 10)).toBe("full");
    expect(used.size).toBe(3);
    expect(used.claim("d", 2_000, 1_000)).toBe("ok");
    expect(used.size).toBe(1);
  });
});
