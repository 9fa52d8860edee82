/**
 * `npm run admin -- grant <username> | revoke <username> | list`: the admin role from a shell
 * (the first registered user is admin already; this is for the others, and for recovery).
 * Each change is audited with the actor "cli". Talks to DATABASE_URL, else to the embedded dev
 * database of `npm run dev`. Exit codes: admin-args.ts ExitCode.
 */
import pg from "pg";
import { ErrorCode, isAppError } from "@dim/shared";
import { CLI_ACTOR, listAdmins, setAdmin } from "../admin-store";
import { createPrisma } from "../create-prisma";
import { assertMigrated } from "../pending-migrations";
import { ExitCode, parseAdminArgs, USAGE, UsageError } from "./admin-args";
import { loadDevDbConfig } from "./dev-db-config";

async function run(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseAdminArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`[admin] ${err.message}\n${USAGE}`);
    return ExitCode.Usage;
  }
  const url = process.env.DATABASE_URL || loadDevDbConfig().urlFor(loadDevDbConfig().database);
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 });
  const prisma = createPrisma(url, { poolSize: 1 });
  try {
    try {
      await assertMigrated(pool);
    } catch (err) {
      const where = process.env.DATABASE_URL ? "DATABASE_URL" : "the embedded dev database (is `npm run dev` running?)";
      console.error(`[admin] cannot use ${where}: ${err instanceof Error ? err.message : String(err)}`);
      return ExitCode.Failed;
    }
    if (command.kind === "list") {
      const admins = await listAdmins(prisma);
      if (admins.length === 0) console.log("[admin] no administrators");
      for (const a of admins) console.log(`${a.username}\t${a.id}${a.disabledAt ? "\t(disabled)" : ""}`);
      return ExitCode.Ok;
    }
    const { changed } = await setAdmin(prisma, CLI_ACTOR, command.username, command.kind === "grant");
    const what = command.kind === "grant" ? "is an administrator" : "is no longer an administrator";
    console.log(`[admin] ${command.username} ${what}${changed ? "" : " (no change)"}`);
    return ExitCode.Ok;
  } catch (err) {
    if (isAppError(err)) {
      console.error(`[admin] ${err.message}`);
      return err.code === ErrorCode.NotFound ? ExitCode.UnknownUser : ExitCode.Refused;
    }
    throw err;
  } finally {
    await prisma.$disconnect();
    await pool.end();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[admin] failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(ExitCode.Failed);
  },
);
