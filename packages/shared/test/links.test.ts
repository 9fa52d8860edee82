import { describe, expect, it } from "vitest";
import { firstLink, linkParts } from "../src/links";

const links = (body: string) => linkParts(body).filter((p) => p.kind === "link").map((p) => (p.kind === "link" ? p.href : ""));

describe("links in a message body", () => {
  it("finds http and https URLs written out in full, and keeps every character of the body", () => {
    const body = "See https://example.com/a?b=1&c=2#top and http://127.0.0.1:3000/x, then stop.";
    expect(links(body)).toEqual(["https://example.com/a?b=1&c=2#top", "http://127.0.0.1:3000/x"]);
    expect(linkParts(body).map((p) => p.text).join("")).toBe(body);
  });

  it("never links another scheme or a bare domain", () => {
    for (const body of ["javascript:alert(1)", "JavaScript://%0aalert(1)", "data:text/html,<b>x</b>", "www.example.com", "ftp://example.com/f", "mailto:a@b.c", "https://", "http:///nohost"]) {
      expect(links(body), body).toEqual([]);
    }
    // "javascript:" inside a query string is just text of an https link.
    expect(links("https://a.example/?next=javascript:alert(1)")).toEqual(["https://a.example/?next=javascript:alert(1)"]);
  });

  it("leaves sentence punctuation and unopened brackets out, keeps balanced ones", () => {
    expect(links("Go to https://a.example/x.")).toEqual(["https://a.example/x"]);
    expect(links("(see https://a.example/y)")).toEqual(["https://a.example/y"]);
    expect(links("https://en.wikipedia.org/wiki/Tree_(graph_theory)!")).toEqual(["https://en.wikipedia.org/wiki/Tree_(graph_theory)"]);
    expect(links("“https://a.example/q”")).toEqual(["https://a.example/q"]);
  });

  it("firstLink: the first http(s) link (the one previewed), or null", () => {
    expect(firstLink("see www.a.example then https://b.example/x. and https://c.example")).toBe("https://b.example/x");
    expect(firstLink("javascript:alert(1) and nothing else")).toBeNull();
    expect(firstLink("")).toBeNull();
  });
});
