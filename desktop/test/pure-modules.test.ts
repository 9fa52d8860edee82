import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "..", "src");

/** The unit-tested modules must not import Electron (it cannot load outside Electron); only src/main/electron and the preload may. */
describe("module boundaries", () => {
  const pure = [
    ...readdirSync(join(src, "main"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(src, "main", f)),
    join(src, "bridge-types.ts"),
    join(src, "channels.ts"),
  ];

  it.each(pure.map((f) => [f.slice(src.length + 1), f]))("%s does not import electron", (_name, file) => {
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/from\s+["']electron["']/);
    expect(text).not.toMatch(/require\(\s*["']electron["']\s*\)/);
    expect(text).not.toMatch(/from\s+["']\.\/electron\//);
  });

  it("found the pure modules", () => {
    expect(pure.length).toBeGreaterThanOrEqual(10);
  });
});
