/**
 * `npm run bench [-- options]` — DIM against the baselines, in one run.
 *
 *   --mode embedded|cluster   DIM's infrastructure (default embedded)
 *   --systems a,b             of dim,socketio,socketio-pg,ws,socketio-rooms (default all; socketio-rooms runs group steps only)
 *   --reps N                  repetitions, interleaved A/B/A/B (default 2; --quick 1)
 *   --rates r1,r2,…           offered messages/s per step (default a ladder to 20k)
 *   --duration S              measured seconds per step (default 10; --quick 3)
 *   --warmup S  --drain S     unmeasured seconds before / wait for stragglers after (2 / 3)
 *   --pairs N                 user pairs (default 200), both directions
 *   --servers N               nodes / servers per system (default 2)
 *   --workers N               load-generator processes (default 2)
 *   --cross F                 share of pairs across servers (default 0.5)
 *   --objective MS            same-node p99 objective (default 10)
 *   --cross-objective MS      cross-node p99 objective, also required of a step (default none)
 *   --stop MS                 the ladder goes on past the objective until p99 > this or < 95% delivered (default 1000)
 *   --groups s1,s2            group steps: one group of each size (members spread over the servers), DIM and
 *                             socketio-rooms (default 100,1000 in a full run, none with --quick); given without
 *                             --rates, the run has the group steps only (no pairs ladder)
 *   --no-groups               no group steps
 *   --group-rates r1,r2,…     group messages/s per step, for each size (default 5,10,20)
 *   --group-senders N         members sending to the group, round robin (default 4)
 *   --extras / --no-extras    DIM connections, memory, connects/s, logins/s, history (default on; --quick off)
 *   --extras connections      only the idle-connection part (memory per connection, connects/s)
 *   --extras uploads          only the upload part (file MB/s, image ms per megapixel, gateway memory
 *                             during a large upload), e.g. --systems dim --extras uploads --extras-only
 *   --upload-mp a,b,…         image sizes of the upload extras, megapixels, each as JPEG and PNG (default 1,4,12,24)
 *   --upload-file-mb N        the file of the upload extras' throughput runs, MB (default 25)
 *   --upload-memory-mb a,b,…  upload sizes of the gateway memory samples, MB (default 25,100; the bench
 *                             gateway's upload limit is raised to the largest)
 *   --upload-reps N           timed repetitions of each upload, the median reported (default 3; --quick 1)
 *   --extras-only             no throughput ladder, the extras only (e.g. --systems dim --extras connections --extras-only)
 *   --connections a,b,…       cumulative idle-connection targets of the extras (default 1000,5000,10000,19000)
 *   --connect-processes N     load processes per connect batch of the extras (default 2)
 *   --connect-inflight N      connects in flight per load process (default 100)
 *   --connect-client lean|ws  the extras' connecting client: a lean raw WebSocket client (default) or the `ws` one
 *   --quick                   a short run (smoke)
 *   --out DIR                 results directory (default bench-results/)
 *   --profile                 run DIM's core nodes with --cpu-prof (profiles in bench-results/profiles)
 *   --swap FROM=TO            DIM's core nodes load module TO wherever FROM is imported (paths from the
 *                             repository root; a before/after of one module, see bench/scripts/module-swap.mjs)
 *   --typing                  DIM: a `typing` frame before each message (at most one per socket per conversation
 *                             per 3 s, as @dim/client throttles), counted per step; run without it for the A/B
 *   --verbose                 server output
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runBench, type BenchOptions } from "./run";
import { renderHtml } from "./report/html";
import { renderText } from "./report/text";
import { REPO, killAll } from "./procs";
import { SYSTEM_NAMES, type SystemName } from "./systems";

const DEFAULT_RATES = [50, 100, 250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000, 10000, 12000, 15000, 20000];

export function parseArgs(argv: string[]): BenchOptions & { out: string; profile: boolean } {
  const args = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new Error(`unexpected argument '${a}'`);
    const [k, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) args.set(k, inline);
    else if (next !== undefined && !next.startsWith("--")) {
      args.set(k, next);
      i++;
    } else args.set(k, true);
  }
  const known = new Set(["mode", "systems", "reps", "rates", "duration", "warmup", "drain", "pairs", "servers", "workers", "cross", "objective", "stop", "extras", "no-extras", "extras-only", "connections", "connect-processes", "connect-inflight", "connect-client", "quick", "out", "verbose", "profile", "body", "swap", "cross-objective", "groups", "no-groups", "group-rates", "group-senders", "upload-mp", "upload-file-mb", "upload-memory-mb", "upload-reps", "typing"]);
  for (const k of args.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}`);
  const quick = args.has("quick");
  const str = (k: string, d: string) => {
    const v = args.get(k);
    return typeof v === "string" ? v : d;
  };
  const num = (k: string, d: number) => {
    const v = Number(str(k, String(d)));
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a non-negative number`);
    return v;
  };
  const mode = str("mode", "embedded");
  if (mode !== "embedded" && mode !== "cluster") throw new Error("--mode must be embedded or cluster");
  const systems = str("systems", SYSTEM_NAMES.join(",")).split(",").map((s) => s.trim()) as SystemName[];
  for (const s of systems) if (!SYSTEM_NAMES.includes(s)) throw new Error(`unknown system '${s}' (one of ${SYSTEM_NAMES.join(", ")})`);
  const rates = str("rates", quick ? "100,300" : DEFAULT_RATES.join(","))
    .split(",")
    .map(Number);
  if (rates.some((r) => !(r > 0))) throw new Error("--rates must be positive numbers");
  const extrasOn = args.has("extras") || args.has("extras-only") || (!quick && !args.has("no-extras"));
  const extrasPart = args.get("extras");
  if (str("connections", "1").split(",").some((c) => !(Number(c) >= 1))) throw new Error("--connections must be positive numbers");
  if (typeof extrasPart === "string" && extrasPart !== "connections" && extrasPart !== "uploads") throw new Error("--extras takes no value, 'connections' or 'uploads'");
  const positives = (k: string, d: string) => {
    const v = str(k, d).split(",").map(Number);
    if (v.some((x) => !(x > 0))) throw new Error(`--${k} must be positive numbers`);
    return v;
  };
  const groupSizes = args.has("no-groups") || (quick && !args.has("groups")) ? [] : positives("groups", "100,1000").map(Math.floor);
  if (groupSizes.some((s) => s < 2)) throw new Error("--groups: a group has at least 2 members");
  const groups = groupSizes.length ? { sizes: groupSizes, rates: positives("group-rates", "5,10,20"), senders: Math.max(1, Math.floor(num("group-senders", 4))) } : null;
  const profile = args.has("profile");
  const out = resolve(REPO, str("out", "bench-results"));
  const swap = str("swap", "");
  if (swap && !/^[^=]+=[^=]+$/.test(swap)) throw new Error("--swap FROM=TO");
  const nodeArgs = [...(profile ? ["--cpu-prof", `--cpu-prof-dir=${join(out, "profiles")}`] : []), ...(swap ? ["--import", "./bench/scripts/module-swap.mjs"] : [])];
  return {
    mode,
    systems,
    reps: Math.max(1, Math.floor(num("reps", quick ? 1 : 2))),
    rates,
    warmupMs: num("warmup", quick ? 1 : 2) * 1000,
    durationMs: num("duration", quick ? 3 : 10) * 1000,
    drainMs: num("drain", quick ? 2 : 3) * 1000,
    pairs: Math.max(1, Math.floor(num("pairs", quick ? 20 : 200))),
    servers: Math.max(1, Math.floor(num("servers", 2))),
    workers: Math.max(1, Math.floor(num("workers", 2))),
    crossShare: Math.min(1, num("cross", 0.5)),
    objectiveMs: num("objective", 10),
    ...(args.has("cross-objective") ? { crossObjectiveMs: num("cross-objective", 0) } : {}),
    stopMs: num("stop", 1000),
    bodyBytes: Math.max(8, Math.floor(num("body", 64))),
    typing: args.has("typing"),
    extras: extrasOn
      ? {
          connections: str("connections", quick ? "500,1000" : "1000,5000,10000,19000").split(",").map((c) => Math.floor(Number(c))),
          logins: quick ? 20 : 200,
          historyMessages: quick ? 10_000 : 1_000_000,
          connectProcesses: Math.max(1, Math.floor(num("connect-processes", 2))),
          connectInFlight: Math.max(1, Math.floor(num("connect-inflight", 100))),
          connectClient: str("connect-client", "lean") === "ws" ? ("ws" as const) : ("lean" as const),
          uploads: {
            megapixels: positives("upload-mp", quick ? "1,4" : "1,4,12,24"),
            fileMegabytes: positives("upload-file-mb", "25")[0]!,
            memoryMegabytes: positives("upload-memory-mb", "25,100"),
            reps: Math.max(1, Math.floor(num("upload-reps", quick ? 1 : 3))),
          },
          ...(extrasPart === "connections" || extrasPart === "uploads" ? { only: extrasPart } : {}),
        }
      : null,
    extrasOnly: args.has("extras-only"),
    pairLadder: !(args.has("groups") && !args.has("rates")),
    groups,
    quick,
    verbose: args.has("verbose"),
    ...(nodeArgs.length ? { nodeEnv: { BENCH_NODE_ARGS: nodeArgs.join(" "), ...(swap ? { BENCH_SWAP: swap } : {}) } } : {}),
    log: (l) => console.log(l),
    out,
    profile,
  };
}

export function writeResults(result: Awaited<ReturnType<typeof runBench>>, out: string): { json: string; html: string } {
  mkdirSync(out, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, "-");
  const json = join(out, `bench-${stamp}.json`);
  const html = join(out, `bench-${stamp}.html`);
  writeFileSync(json, JSON.stringify(result, null, 2));
  writeFileSync(html, renderHtml(result));
  writeFileSync(join(out, "latest.json"), JSON.stringify(result, null, 2));
  writeFileSync(join(out, "latest.html"), renderHtml(result));
  return { json, html };
}

/** Says in one line per tool what to install, before anything is started (scripts/check-prereqs.mjs). */
function checkPrereqs(opts: BenchOptions): void {
  const needs = opts.mode === "cluster" ? "cluster" : opts.systems.some((s) => s.startsWith("socketio")) ? "bench" : "dev";
  const r = spawnSync(process.execPath, [join(REPO, "scripts/check-prereqs.mjs"), needs], { stdio: "inherit" });
  if (r.status !== 0) process.exit(1);
}

async function main() {
  let opts: ReturnType<typeof parseArgs>;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${(err as Error).message} (options: see the header of bench/src/cli.ts)`);
    process.exit(2);
  }
  checkPrereqs(opts);
  const stop = () => {
    console.log("interrupted: stopping everything");
    killAll();
    process.exit(130);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const result = await runBench(opts);
  const files = writeResults(result, opts.out);
  console.log(renderText(result));
  console.log(`results: ${files.json}\nreport:  ${files.html}`);
  process.exit(0);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((err) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killAll();
    process.exit(1);
  });
}
