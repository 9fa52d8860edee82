/** The group steps in the console summary and the HTML report. */
import type { BenchResult } from "../run";
import type { GroupStepSummary } from "../group-run";
import { GROUP_BASELINE, GROUP_TARGET } from "../group-summary";

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const pp = (p: GroupStepSummary["all"]) => (p.count ? `${p.p50.toFixed(1)} / ${p.p99.toFixed(1)}` : "–");
const cpuOf = (s: GroupStepSummary) => Object.entries(s.cpu.byProcess).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ");

export function groupsText(r: BenchResult): string[] {
  if (!r.groupRuns?.length) return [];
  const lines = ["", `Group steps (${r.options.groups?.senders ?? "?"} senders, every member online and ACKing; latency from the scheduled send, ms)`];
  lines.push("system          rep  size  msg/s  deliveries/s  lost  dup  all p50/p99     last member p50/p99  ACK p50/p99    server CPU-s  load");
  for (const run of r.groupRuns) {
    if (run.error) lines.push(`${run.system.padEnd(15)} ${String(run.rep).padStart(3)}  failed: ${run.error}`);
    for (const s of run.steps) {
      lines.push(
        `${run.system.padEnd(15)} ${String(run.rep).padStart(3)}  ${String(s.size).padStart(4)}  ${String(s.rate).padStart(5)}  ${String(s.deliveriesPerSec).padStart(12)}  ${String(s.lost).padStart(4)}  ${String(s.duplicates).padStart(3)}  ` +
          `${pp(s.all).padEnd(15)} ${pp(s.last).padEnd(20)} ${pp(s.ack).padEnd(14)} ${s.cpu.serverTotal.toFixed(2).padStart(12)}  ${s.load1.toFixed(1)}`,
      );
    }
  }
  const g = r.groupSummary;
  if (g?.ratios.length) {
    lines.push("", `DIM / ${GROUP_BASELINE}, same run: deliveries/s ratio, p99 to the last member ratio (DIM ms vs baseline ms)`);
    for (const x of g.ratios) {
      lines.push(`  rep ${x.rep}  group ${x.size} × ${x.rate}/s: deliveries ${x.deliveries} (${x.dimDeliveriesPerSec} vs ${x.baseDeliveriesPerSec}/s), last-member p99 ${x.lastP99} (${x.dimLastP99} vs ${x.baseLastP99} ms)`);
    }
    for (const c of g.capacity) {
      lines.push(`  rep ${c.rep}  group ${c.size}: highest delivering deliveries/s DIM ${c.dim} (at ${c.dimTopRate}/s) vs ${c.baseline} (at ${c.baseTopRate}/s): ratio ${c.ratio}`);
    }
  }
  for (const t of g?.target ?? []) {
    lines.push(
      `target (group ${GROUP_TARGET.size} × ${GROUP_TARGET.rate}/s: last-member p99 ≤ ${GROUP_TARGET.lastP99Ms} ms, deliveries/s ≥ ${GROUP_TARGET.minDeliveriesRatio} × baseline), rep ${t.rep}: ` +
        `p99 ${t.lastP99} ms, ratio ${t.deliveriesRatio}, lost ${t.lost}, duplicates ${t.duplicates} → ${t.met ? "MET" : "MISSED"}`,
    );
  }
  return lines;
}

export function groupsHtml(r: BenchResult): string {
  if (!r.groupRuns?.length) return "";
  const rows = r.groupRuns
    .flatMap((run) =>
      run.steps.map(
        (s) =>
          `<tr class="${s.delivering && s.lost === 0 && s.duplicates === 0 ? "" : "bad"}"><td>${esc(run.system)}</td><td>${run.rep}</td><td>${s.size}</td><td>${s.rate}</td><td>${s.messages}</td>` +
          `<td>${s.delivered} / ${s.expected}</td><td>${s.deliveriesPerSec}</td><td>${s.lost}</td><td>${s.duplicates}</td>` +
          [s.all, s.last, s.ack].map((p) => `<td>${p.count ? `${p.p50} / ${p.p90} / ${p.p99} / ${p.max}` : "–"}</td>`).join("") +
          `<td>${s.cpu.serverTotal}</td><td>${s.deliveriesPerCpuSecond}</td><td>${esc(cpuOf(s))}</td><td>${s.load1}</td></tr>`,
      ),
    )
    .join("");
  const errors = r.groupRuns.filter((x) => x.error).map((x) => `<li>${esc(x.system)} rep ${x.rep}: ${esc(x.error!)}</li>`).join("");
  const ratios = (r.groupSummary?.ratios ?? [])
    .map((x) => `<li>rep ${x.rep}, group ${x.size} × ${x.rate}/s: deliveries/s DIM / ${GROUP_BASELINE} <b>${x.deliveries}</b>; last-member p99 <b>${x.lastP99}</b> (${x.dimLastP99} vs ${x.baseLastP99} ms)</li>`)
    .join("");
  const target = (r.groupSummary?.target ?? [])
    .map((t) => `<li>rep ${t.rep}: last-member p99 ${t.lastP99} ms (≤ ${GROUP_TARGET.lastP99Ms}), deliveries/s ratio ${t.deliveriesRatio} (≥ ${GROUP_TARGET.minDeliveriesRatio}), lost ${t.lost}, duplicates ${t.duplicates}: <b>${t.met ? "met" : "missed"}</b></li>`)
    .join("");
  return `<h2>Group fan-out</h2><p>A few members send to a group at each rate (open loop); every member is online and ACKs every pushed message. "All": every delivery; "last": per message, its delivery to the last member. Latency from the scheduled send time, ms (p50 / p90 / p99 / max).</p>
${errors ? `<ul>${errors}</ul>` : ""}<table><tr><th>system</th><th>rep</th><th>size</th><th>msg/s</th><th>messages</th><th>delivered</th><th>deliveries/s</th><th>lost</th><th>dup</th><th>all</th><th>last member</th><th>sender ACK</th><th>server CPU s</th><th>deliveries/CPU-s</th><th>CPU by process (s)</th><th>load</th></tr>${rows}</table>
<ul>${ratios}</ul><p>Target (group of ${GROUP_TARGET.size} at ${GROUP_TARGET.rate} msg/s):</p><ul>${target || "<li>not run</li>"}</ul>`;
}
