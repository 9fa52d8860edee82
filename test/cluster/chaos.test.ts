/**
 * The short run of the fault suite (`npm run chaos`, docs/reliability.md) inside `npm test`: two
 * scenarios of ~12 s each on the cluster project's real services — kill -9 of a core node, and
 * abrupt disconnects of a third of the clients — with zero acknowledged-but-lost, zero duplicated,
 * no reorder, no gap and nothing stored-but-undelivered. (That the checker would see a loss is
 * proven on hand-made histories in test/chaos-checker.test.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { scenarioTable } from "../../scripts/chaos/report";
import { runChaos } from "../../scripts/chaos/runner";
// its ProvidedContext declaration types inject("dimCluster")
import type {} from "../../scripts/infra/vitest-cluster-setup";

const runDir = mkdtempSync(join(tmpdir(), "dim-chaos-test-"));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe("npm run chaos (short run)", () => {
  it("node-kill9 and client-disconnects: nothing acknowledged is lost, duplicated or reordered", { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    const outcomes = await runChaos({
      scenarios: ["node-kill9", "client-disconnects"],
      durationS: 12,
      clients: 4,
      rate: 2,
      nodes: 3,
      runDir,
      services: inject("dimCluster"),
      say: (l) => lines.push(l),
    });
    const tables = outcomes.map(scenarioTable).join("\n");
    expect(outcomes.map((o) => o.name)).toEqual(["node-kill9", "client-disconnects"]);
    for (const o of outcomes) {
      expect(o.result.anomalies, tables).toEqual([]);
      expect(o.result.acked, `${o.name}: traffic flowed`).toBeGreaterThan(20);
      // the fault hit clients: some reconnected, and delivery resumed after it
      expect(o.result.reconnectMs.n, `${o.name}: clients reconnected\n${tables}`).toBeGreaterThan(0);
      expect(o.result.resumeDeliveryMs.n, `${o.name}: delivery resumed\n${tables}`).toBeGreaterThan(0);
    }
  });
});
