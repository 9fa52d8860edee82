/**
 * `npm run admin`, spawned as a user runs it (tsx on the CLI) against a real migrated test
 * database: grant / revoke / list, audit rows with the actor "cli", typed errors and exit codes.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "../src/index";
import { ExitCode } from "../src/cli/admin-args";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const CLI = fileURLToPath(new URL("../src/cli/admin.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

let db: TestDatabase;
let prisma: PrismaClient;

function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { env: { ...process.env, DATABASE_URL: db.url }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url, { poolSize: 2 });
  for (const username of ["ann", "ben"]) {
    await prisma.user.create({ data: { id: randomUUID(), username, passwordHash: "x", displayName: username } });
  }
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe("npm run admin", () => {
  it("grants, lists and revokes, auditing each change as 'cli'", async () => {
    expect(await admin("list")).toMatchObject({ code: 0, stdout: expect.stringContaining("no administrators") });

    const granted = await admin("grant", "Ann");
    expect(granted).toMatchObject({ code: 0, stdout: expect.stringContaining("ann is an administrator") });
    expect((await prisma.user.findUniqueOrThrow({ where: { username: "ann" } })).isAdmin).toBe(true);
    expect(await admin("grant", "ben")).toMatchObject({ code: 0 });
    expect((await admin("list")).stdout).toMatch(/^ann\t.*\nben\t/);

    expect(await admin("revoke", "ben")).toMatchObject({ code: 0, stdout: expect.stringContaining("no longer") });
    expect((await prisma.user.findUniqueOrThrow({ where: { username: "ben" } })).isAdmin).toBe(false);

    const audit = await prisma.adminAudit.findMany({ orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.actor, a.actorId, a.action, a.target, a.details])).toEqual([
      ["cli", null, "grant", "ann", { changed: true }],
      ["cli", null, "grant", "ben", { changed: true }],
      ["cli", null, "revoke", "ben", { changed: true }],
    ]);
  });

  it("refuses the last admin's revoke, an unknown user and bad arguments with clear errors, changing nothing", async () => {
    const before = await prisma.adminAudit.count();
    const last = await admin("revoke", "ann");
    expect(last.code).toBe(ExitCode.Refused);
    expect(last.stderr).toContain("'ann' is the last admin");
    expect((await prisma.user.findUniqueOrThrow({ where: { username: "ann" } })).isAdmin).toBe(true);

    const unknown = await admin("grant", "nobody");
    expect(unknown.code).toBe(ExitCode.UnknownUser);
    expect(unknown.stderr).toContain("no user is called 'nobody'");

    for (const args of [[], ["promote", "ann"], ["grant"], ["grant", "a", "b"], ["grant", "Not A Name!"], ["list", "x"]]) {
      const r = await admin(...args);
      expect(r.code, args.join(" ")).toBe(ExitCode.Usage);
      expect(r.stderr).toContain("usage: npm run admin");
    }
    expect(await prisma.adminAudit.count()).toBe(before);
  });
});
