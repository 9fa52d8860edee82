/**
 * Where the database helpers report progress: a plain function (console.log) or a pino logger.
 * Both are accepted so CLIs and servers can pass what they already have.
 */
export type DbLog = ((line: string) => void) | { info(msg: string): void };

export function toLogFn(log: DbLog | undefined): (line: string) => void {
  if (!log) return () => {};
  if (typeof log === "function") return log;
  return (line) => log.info(line);
}

/** host:port/database of a connection URL, without credentials (safe to log). */
export function describeUrl(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}
