import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@dim/shared/node";
import { waitForDatabase } from "../src/wait-for-database";
import { createTestDatabase, type TestDatabase } from "../src/testing";

let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

describe("waitForDatabase", () => {
  it("returns at once when PostgreSQL answers", async () => {
    db = await createTestDatabase({ migrate: false });
    const lines: string[] = [];
    await waitForDatabase(db.url, { log: (l) => lines.push(l), timeoutMs: 10_000 });
    expect(lines).toEqual([]);
  });

  it("logs that it waits, then fails clearly at its deadline", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const url = `postgresql://postgres:secret-password@127.0.0.1:${port}/dim`;
    await expect(waitForDatabase(url, { log: (l) => lines.push(l), timeoutMs: 600 })).rejects.toThrow(
      new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port}/dim did not answer within 600 ms`),
    );
    expect(lines[0]).toMatch(new RegExp(`^waiting for PostgreSQL at 127\\.0\\.0\\.1:${port}/dim`));
    expect(lines.join("\n")).not.toContain("secret-password");
  });
});
