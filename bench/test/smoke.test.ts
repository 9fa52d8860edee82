/**
 * A short run of the benchmark harness (not a measurement: no speed is asserted). It starts what
 * `npm run bench` starts — an embedded PostgreSQL, DIM's gateway and two core-node processes,
 * two raw `ws` relays, forked load generators — sends a few messages at a low rate, and checks
 * the result file's shape and that messages were delivered and acknowledged; and a tiny group
 * step (DIM and the Socket.IO rooms baseline) in which every member must get every message once;
 * and a tiny run of the upload extras (the figures' shape, each beside its baseline).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseArgs, runBench, writeResults, type BenchResult } from "../src/index";
import { renderText } from "../src/report/text";

const out = mkdtempSync(join(tmpdir(), "dim-bench-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("bench harness (smoke)", () => {
  it("parses the CLI options and rejects unknown ones", () => {
    const o = parseArgs(["--quick", "--systems", "dim,ws", "--rates", "10,20"]);
    expect(o.systems).toEqual(["dim", "ws"]);
    expect(o.rates).toEqual([10, 20]);
    expect(o.extras).toBeNull();
    expect(() => parseArgs(["--nope"])).toThrow(/unknown option/);
    expect(() => parseArgs(["--systems", "kafka"])).toThrow(/unknown system/);
    const up = parseArgs(["--systems", "dim", "--extras", "uploads", "--extras-only", "--upload-mp", "1,2", "--upload-file-mb", "5", "--upload-memory-mb", "5,20", "--upload-reps", "2"]);
    expect(up.extras).toMatchObject({ only: "uploads", uploads: { megapixels: [1, 2], fileMegabytes: 5, memoryMegabytes: [5, 20], reps: 2 } });
    expect(parseArgs(["--extras"]).extras?.uploads).toEqual({ megapixels: [1, 4, 12, 24], fileMegabytes: 25, memoryMegabytes: [25, 100], reps: 3 });
    expect(() => parseArgs(["--extras", "nope"])).toThrow(/--extras takes/);
  });

  it("runs DIM and the ws baseline for a few seconds and writes a complete result file", async () => {
    const lines: string[] = [];
    const result = await runBench({
      mode: "embedded",
      systems: ["dim", "ws"],
      reps: 1,
      rates: [20],
      warmupMs: 500,
      durationMs: 1500,
      drainMs: 5000,
      pairs: 4,
      servers: 2,
      workers: 1,
      crossShare: 0.5,
      objectiveMs: 10_000,
      stopMs: 60_000,
      bodyBytes: 32,
      extras: null,
      quick: true,
      verbose: false,
      log: (l) => lines.push(l),
    });
    const files = writeResults(result, out);
    const saved = JSON.parse(readFileSync(files.json, "utf8")) as BenchResult;
    expect(readFileSync(files.html, "utf8")).toContain("<svg");

    expect(saved.version).toBe(1);
    expect(saved.machine.cpus).toBeGreaterThan(0);
    expect(saved.runs.map((r) => r.system)).toEqual(["dim", "ws"]);
    for (const run of saved.runs) {
      expect(run.error, `${run.system}: ${run.error}\n${lines.join("\n")}`).toBeUndefined();
      expect(run.connections).toBe(8);
      expect(run.steps).toHaveLength(1);
      const step = run.steps[0]!;
      expect(step.sent).toBeGreaterThan(0);
      // Delivered and acknowledged (a loaded machine may delay some past the drain; most arrive).
      expect(step.delivered).toBeGreaterThan(step.sent / 2);
      expect(step.acked).toBeGreaterThan(step.sent / 2);
      expect(step.sameE2E.count + step.crossE2E.count).toBe(step.delivered);
      expect(step.sameE2E.count).toBeGreaterThan(0);
      expect(step.crossE2E.count).toBeGreaterThan(0);
      expect(step.ack.p50).toBeGreaterThan(0);
      expect(step.cpu.serverTotal).toBeGreaterThanOrEqual(0);
      expect(Object.keys(step.cpu.byProcess).length).toBeGreaterThanOrEqual(2);
    }
    const dim = saved.runs[0]!.steps[0]!;
    // /proc counts CPU in 10 ms ticks: the two raw ws relays forward ~30 messages in the 1.5 s
    // window and may honestly read 0; DIM's gateway, nodes and PostgreSQL always do real work.
    expect(dim.cpu.serverTotal).toBeGreaterThan(0);
    expect(Object.keys(dim.cpu.byProcess)).toEqual(expect.arrayContaining(["node-1", "node-2", "gateway", "postgres"]));
    expect(saved.summary.maxSustained.dim).toBeDefined();
  }, 240_000);

  it("parses the group options: --groups alone runs the group steps only", () => {
    const o = parseArgs(["--groups", "100,1000", "--group-rates", "5,10"]);
    expect(o.groups).toEqual({ sizes: [100, 1000], rates: [5, 10], senders: 4 });
    expect(o.pairLadder).toBe(false);
    expect(parseArgs(["--groups", "10", "--rates", "50"]).pairLadder).toBe(true);
    expect(parseArgs(["--quick"]).groups).toBeNull();
    expect(parseArgs(["--no-groups"]).groups).toBeNull();
    expect(() => parseArgs(["--groups", "1"])).toThrow(/at least 2 members/);
  });

  it("runs a 10-member group step on DIM and the Socket.IO rooms baseline: every member gets every message once", async () => {
    const lines: string[] = [];
    const result = await runBench({
      mode: "embedded",
      systems: ["dim", "socketio-rooms"],
      reps: 1,
      rates: [],
      pairLadder: false,
      groups: { sizes: [10], rates: [2], senders: 3 },
      warmupMs: 500,
      durationMs: 2000,
      drainMs: 10_000,
      pairs: 1,
      servers: 2,
      workers: 2,
      crossShare: 0.5,
      objectiveMs: 10_000,
      stopMs: 60_000,
      bodyBytes: 32,
      extras: null,
      quick: true,
      verbose: false,
      log: (l) => lines.push(l),
    });
    const saved = JSON.parse(readFileSync(writeResults(result, out).json, "utf8")) as BenchResult;
    expect(saved.runs).toEqual([]);
    expect(saved.groupRuns!.map((r) => r.system)).toEqual(["dim", "socketio-rooms"]);
    for (const run of saved.groupRuns!) {
      expect(run.error, `${run.system}: ${run.error}\n${lines.join("\n")}`).toBeUndefined();
      expect(run.connections).toBe(10);
      expect(run.steps).toHaveLength(1);
      const s = run.steps[0]!;
      expect(s.messages).toBeGreaterThan(0);
      expect(s.acked).toBe(s.messages);
      // Every member but the sender, each message exactly once.
      expect(s.expected).toBe(s.messages * 9);
      expect(s.delivered).toBe(s.expected);
      expect(s.lost).toBe(0);
      expect(s.duplicates).toBe(0);
      expect(s.all.count).toBe(s.delivered);
      expect(s.last.count).toBe(s.messages);
      expect(s.incompleteMessages).toBe(0);
      expect(s.last.p50).toBeGreaterThanOrEqual(s.all.p50);
      // CPU is read from /proc in 10 ms ticks: a few tiny messages may cost less than one tick on
      // a server, so check the accounting (every server process measured, summed), not a minimum.
      const cpu = Object.values(s.cpu.byProcess);
      expect(cpu.length, JSON.stringify(s.cpu)).toBeGreaterThanOrEqual(3); // 2 servers + a service
      for (const v of cpu) expect(v).toBeGreaterThanOrEqual(0);
      expect(s.cpu.serverTotal).toBeCloseTo(cpu.reduce((a, b) => a + b, 0), 3);
    }
    const ratio = saved.groupSummary!.ratios[0]!;
    expect(ratio).toMatchObject({ size: 10, rate: 2, rep: 1 });
    expect(ratio.deliveries).toBeGreaterThan(0);
  }, 240_000);

  it("runs the upload extras on a tiny set: files, images and memory, each with its baseline", async () => {
    const lines: string[] = [];
    const result = await runBench({
      ...parseArgs(["--systems", "dim", "--extras", "uploads", "--extras-only", "--upload-mp", "0.05", "--upload-file-mb", "1", "--upload-memory-mb", "1", "--upload-reps", "1"]),
      log: (l) => lines.push(l),
    });
    const saved = JSON.parse(readFileSync(writeResults(result, out).json, "utf8")) as BenchResult;
    const u = saved.extras?.uploads;
    expect(u, `${saved.extras?.notes.join("\n")}\n${lines.join("\n")}`).toBeDefined();
    expect(saved.runs).toEqual([]);
    expect(u!.file).toMatchObject({ megabytes: 1 });
    expect(u!.file.gatewayMs).toHaveLength(1);
    for (const v of [u!.file.gatewayMBps, u!.file.sinkMBps, u!.file.ratio]) expect(v).toBeGreaterThan(0);
    expect(u!.memory.map((m) => m.fileMegabytes)).toEqual([1]);
    for (const s of [u!.memory[0]!.gateway, u!.memory[0]!.sink, u!.memory[0]!.bufferingSink]) {
      expect(s.beforeMB).toBeGreaterThan(0);
      expect(s.peakMB).toBeGreaterThan(0);
      expect(s.samples).toBeGreaterThan(0);
    }
    expect(u!.images.map((i) => i.format)).toEqual(["jpeg", "png"]);
    for (const i of u!.images) {
      expect(i.width * i.height).toBeGreaterThan(40_000);
      expect(i.gatewayMs).toBeGreaterThan(0);
      expect(i.sharpMs).toBeGreaterThan(0);
      expect(i.ratio).toBeGreaterThan(0);
    }
    const text = renderText(saved);
    expect(text).toContain("Uploads (POST /api/files");
    expect(text).toContain("jpeg 0.05 MP");
    expect(readFileSync(join(out, "latest.html"), "utf8")).toContain("<h2>Uploads</h2>");
  }, 240_000);
});
