/** `npm run admin -- <command>`: the commands and their exit codes (documented in the README). */
import { username as usernameSchema } from "@dim/shared";

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, UnknownUser: 3, Refused: 4 } as const;

export const USAGE = `usage: npm run admin -- <command>
  grant <username>    make the user an administrator
  revoke <username>   take the administrator role away (not from the last admin)
  list                list the administrators
The database is DATABASE_URL, else the embedded dev database of \`npm run dev\` (which must be running).`;

export type AdminCommand = { kind: "grant" | "revoke"; username: string } | { kind: "list" };

export class UsageError extends Error {}

export function parseAdminArgs(argv: readonly string[]): AdminCommand {
  const [command, ...rest] = argv;
  if (command === "list") {
    if (rest.length > 0) throw new UsageError("list takes no arguments");
    return { kind: "list" };
  }
  if (command === "grant" || command === "revoke") {
    if (rest.length !== 1) throw new UsageError(`${command} takes exactly one username`);
    const parsed = usernameSchema.safeParse(rest[0]!.trim().toLowerCase());
    if (!parsed.success) throw new UsageError(`'${rest[0]}' is not a username (3–32 of a-z, 0-9, '_')`);
    return { kind: command, username: parsed.data };
  }
  throw new UsageError(command === undefined ? "no command given" : `unknown command '${command}'`);
}
