/** The console summary of a run. */
import type { BenchResult } from "../run";
import { groupsText } from "./groups";
import { uploadsText } from "./uploads";

export function renderText(r: BenchResult): string {
  const lines: string[] = [];
  lines.push("");
  lines.push(`DIM benchmark — ${r.options.mode} mode, ${r.options.servers} servers, ${r.options.pairs} pairs, objective same-node p99 ≤ ${r.options.objectiveMs} ms`);
  lines.push(`machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memGiB} GiB; load before ${r.loadBefore.load1}, after ${r.loadAfter.load1}`);
  lines.push("");
  if (r.runs.length === 0) return [...lines, ...groupsText(r), ...uploadsText(r), ...(r.extras?.notes ?? [])].join("\n");
  lines.push("system        rep  objective met/s  capacity/s  at capacity: same p50/p99  cross p99  ack p99 (ms)  msg/server-CPU-s");
  for (const run of r.runs) {
    const best = run.steps.filter((s) => s.delivering).at(-1);
    lines.push(
      `${run.system.padEnd(13)} ${String(run.rep).padStart(3)}  ${String(run.maxSustained).padStart(15)}  ${String(run.maxThroughput).padStart(10)}  ` +
        (best
          ? `${best.sameE2E.p50.toFixed(2).padStart(8)}/${best.sameE2E.p99.toFixed(2).padEnd(8)} ${best.crossE2E.p99.toFixed(2).padStart(9)}  ${best.ack.p99.toFixed(2).padStart(12)}  ${String(best.msgsPerCpuSecond).padStart(16)}`
          : run.error
            ? `failed: ${run.error}`
            : "no step delivered ≥ 95% under the stop bound"),
    );
  }
  lines.push("");
  for (const [name, s] of Object.entries(r.summary.ratios)) {
    lines.push(`objective-meeting rate DIM / ${name}: median ${s.median} (min ${s.min}, max ${s.max}; per repetition ${s.values.join(", ")})`);
  }
  for (const [name, s] of Object.entries(r.summary.throughputRatios)) {
    lines.push(`capacity DIM / ${name}: median ${s.median} (min ${s.min}, max ${s.max}; per repetition ${s.values.join(", ")})`);
  }
  const h = r.summary.dimAtHalf;
  if (h) lines.push(`DIM near half its saturation (${h.rate}/s): same-node p99 ${h.sameP99} ms, cross-node p99 ${h.crossP99} ms, ACK p99 ${h.ackP99} ms`);
  const c = r.summary.dimAtHalfCapacity;
  if (c) {
    lines.push(
      `DIM at half its capacity (step ${c.rate}/s of ${c.capacity}/s): same-node p50/p99 ${c.sameP50}/${c.sameP99} ms, cross-node p50/p99 ${c.crossP50}/${c.crossP99} ms, ` +
        `ACK p99 ${c.ackP99} ms, ${c.msgsPerCpuSecond} msg/server-CPU-s`,
    );
  }
  lines.push(...groupsText(r), ...uploadsText(r));
  if (r.extras) for (const n of r.extras.notes) lines.push(n);
  return lines.join("\n");
}
