import { describe, expect, it } from "vitest";
import { buildSnippet, matchRanges } from "../src/search/snippet";
import { decodeSearchCursor, encodeSearchCursor } from "../src/search/search-cursor";

const marked = (s: { text: string; highlights: { start: number; end: number }[] }) => s.highlights.map((r) => s.text.slice(r.start, r.end));

describe("search snippets", () => {
  it("marks each word and the phrase, case-insensitively, merged where they overlap", () => {
    expect(marked(buildSnippet("Hello World, hello again", "hello world"))).toEqual(["Hello World", "hello"]);
    expect(matchRanges("a.b a*b", "a*b")).toEqual([{ start: 4, end: 7 }]);
    expect(marked(buildSnippet("好的，我们明天见", "明天"))).toEqual(["明天"]);
  });

  it("cuts a long message around the first match, never inside a surrogate pair", () => {
    const body = `${"😀".repeat(100)} needle ${"x".repeat(300)}`;
    const s = buildSnippet(body, "needle", 60);
    expect(s.text.length).toBeLessThanOrEqual(60);
    expect(marked(s)).toEqual(["needle"]);
    expect([s.cutBefore, s.cutAfter]).toEqual([true, true]);
    expect(s.text).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
  });

  it("cursors round-trip; anything else is refused", () => {
    const c = { createdAt: "2026-01-02T03:04:05.006Z", id: "0b6f3c52-6a5e-4d1b-8f43-2c9d7e1a5b60" };
    expect(decodeSearchCursor(encodeSearchCursor(c))).toEqual(c);
    for (const bad of ["", "!!", Buffer.from("[1,2]").toString("base64url"), Buffer.from('["yesterday","0b6f3c52-6a5e-4d1b-8f43-2c9d7e1a5b60"]').toString("base64url")]) {
      expect(() => decodeSearchCursor(bad)).toThrow("bad search cursor");
    }
  });
});
