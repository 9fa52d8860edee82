/**
 * A self-contained HTML report: inline SVG latency-versus-throughput curves (p50 and p99 of
 * same-node delivery, per system and repetition, log latency axis) and the step tables.
 */
import type { BenchResult, StepSummary, SystemRun } from "../run";
import { groupsHtml } from "./groups";
import { uploadsHtml } from "./uploads";

const COLORS: Record<string, string> = { dim: "#d62728", socketio: "#1f77b4", "socketio-pg": "#2ca02c", ws: "#7f7f7f", "socketio-rooms": "#9467bd" };
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function chart(runs: SystemRun[], pick: (s: StepSummary) => number, title: string, objective?: number): string {
  const W = 720;
  const H = 380;
  const L = 64;
  const B = 44;
  const pts = runs.flatMap((r) => r.steps.filter((s) => pick(s) > 0).map((s) => ({ x: s.achievedPerSec, y: pick(s) })));
  if (pts.length === 0) return `<p>${esc(title)}: no data</p>`;
  // Log axes both ways: the systems' rates differ by two orders of magnitude.
  const minX = Math.max(1, Math.min(...pts.map((p) => p.x)) / 1.3);
  const maxX = Math.max(minX * 10, Math.max(...pts.map((p) => p.x)) * 1.3);
  const minY = Math.max(0.05, Math.min(...pts.map((p) => p.y)) / 1.5);
  const maxY = Math.max(...pts.map((p) => p.y), objective ?? 0) * 1.5;
  const lx = (x: number) => L + ((Math.log10(Math.max(x, minX)) - Math.log10(minX)) / (Math.log10(maxX) - Math.log10(minX))) * (W - L - 16);
  const ly = (y: number) => H - B - ((Math.log10(y) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY))) * (H - B - 24);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<text x="${W / 2}" y="14" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  parts.push(`<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#000"/><line x1="${L}" y1="20" x2="${L}" y2="${H - B}" stroke="#000"/>`);
  for (let e = Math.floor(Math.log10(minY)); e <= Math.ceil(Math.log10(maxY)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v < minY || v > maxY) continue;
      parts.push(`<line x1="${L}" y1="${ly(v)}" x2="${W - 10}" y2="${ly(v)}" stroke="#eee"/><text x="${L - 4}" y="${ly(v) + 4}" text-anchor="end">${v} ms</text>`);
    }
  }
  for (let e = Math.floor(Math.log10(minX)); e <= Math.ceil(Math.log10(maxX)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v < minX || v > maxX) continue;
      parts.push(`<line x1="${lx(v)}" y1="20" x2="${lx(v)}" y2="${H - B}" stroke="#f3f3f3"/><text x="${lx(v)}" y="${H - B + 16}" text-anchor="middle">${v}</text>`);
    }
  }
  parts.push(`<text x="${W / 2}" y="${H - 8}" text-anchor="middle">delivered messages/s (log)</text>`);
  if (objective) parts.push(`<line x1="${L}" y1="${ly(objective)}" x2="${W - 10}" y2="${ly(objective)}" stroke="#f90" stroke-dasharray="6 4"/><text x="${W - 12}" y="${ly(objective) - 4}" text-anchor="end" fill="#f90">objective ${objective} ms</text>`);
  const legend = new Set<string>();
  for (const r of runs) {
    const color = COLORS[r.system] ?? "#000";
    const p = r.steps.filter((s) => pick(s) > 0).map((s) => `${lx(s.achievedPerSec).toFixed(1)},${ly(pick(s)).toFixed(1)}`);
    if (p.length === 0) continue;
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6" stroke-dasharray="${r.rep > 1 ? "4 2" : ""}" points="${p.join(" ")}"/>`);
    for (const xy of p) parts.push(`<circle cx="${xy.split(",")[0]}" cy="${xy.split(",")[1]}" r="2.5" fill="${color}"/>`);
    legend.add(r.system);
  }
  [...legend].forEach((name, i) => {
    parts.push(`<rect x="${L + 10}" y="${28 + i * 16}" width="12" height="3" fill="${COLORS[name] ?? "#000"}"/><text x="${L + 28}" y="${33 + i * 16}">${esc(name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

function table(run: SystemRun): string {
  const rows = run.steps
    .map(
      (s) =>
        `<tr class="${s.ok ? "" : "bad"}"><td>${s.rate}</td><td>${s.achievedPerSec}</td><td>${(s.deliveredRatio * 100).toFixed(1)}%</td>` +
        [s.sameE2E, s.crossE2E, s.ack].map((p) => `<td>${p.count ? `${p.p50} / ${p.p90} / ${p.p99} / ${p.p999} / ${p.max}` : "–"}</td>`).join("") +
        `<td>${s.cpu.serverTotal}</td><td>${s.msgsPerCpuSecond}</td><td>${esc(Object.entries(s.cpu.byProcess).map(([k, v]) => `${k} ${v}`).join(", "))}</td><td>${s.load1}</td><td>${esc(s.reason ?? "ok")}</td></tr>`,
    )
    .join("");
  return `<h3>${esc(run.system)} — repetition ${run.rep} (${run.connections} connections; objective met to ${run.maxSustained}/s, capacity ${run.maxThroughput}/s)${run.error ? ` — ERROR ${esc(run.error)}` : ""}</h3>
<table><tr><th>offered/s</th><th>delivered/s</th><th>delivered</th><th>same-node e2e p50/p90/p99/p99.9/max ms</th><th>cross-node e2e</th><th>sender ACK</th><th>server CPU s</th><th>msg/CPU-s</th><th>CPU by process (s)</th><th>load</th><th>verdict</th></tr>${rows}</table>`;
}

export function renderHtml(r: BenchResult): string {
  const ratios = Object.entries(r.summary.ratios)
    .map(([k, s]) => `<li>objective-meeting rate DIM / ${esc(k)}: median <b>${s.median}</b> (min ${s.min}, max ${s.max}; ${s.values.join(", ")})</li>`)
    .join("");
  const sustained = Object.entries(r.summary.maxSustained)
    .map(([k, s]) => `<li>${esc(k)}: objective met up to ${s.values.join(", ")} msg/s (median ${s.median}); capacity ${(r.summary.maxThroughput[k as keyof typeof r.summary.maxThroughput]?.values ?? []).join(", ")} delivered msg/s</li>`)
    .join("");
  const tratios = Object.entries(r.summary.throughputRatios)
    .map(([k, s]) => `<li>capacity DIM / ${esc(k)}: median <b>${s.median}</b> (min ${s.min}, max ${s.max}; ${s.values.join(", ")})</li>`)
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>DIM benchmark ${esc(r.startedAt)}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1400px}table{border-collapse:collapse;font-size:12px;margin-bottom:16px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}tr.bad{background:#fee}pre{background:#f6f6f6;padding:8px}</style></head><body>
<h1>DIM benchmark</h1>
<p>${esc(r.startedAt)} → ${esc(r.finishedAt)} · ${esc(r.options.mode)} mode · ${r.options.servers} servers · ${r.options.pairs} pairs (${Math.round(r.options.crossShare * 100)}% cross-server) · ${r.options.workers} load processes ·
${r.machine.cpus} × ${esc(r.machine.model)}, ${r.machine.memGiB} GiB, Node ${esc(r.machine.node)} · load average before ${r.loadBefore.load1} / after ${r.loadAfter.load1}</p>
<p>Open-loop senders; latency from each message's scheduled send time (coordinated-omission safe). A step fails when same-node p99 &gt; ${r.options.objectiveMs} ms or fewer than 95% of its messages are delivered.</p>
<h2>Highest sustained rate</h2><p>"Objective met": highest offered rate whose step had same-node p99 ≤ ${r.options.objectiveMs} ms. "Capacity": highest delivered rate of a step with ≥ 95% delivered and p99 ≤ ${r.options.stopMs} ms.</p><ul>${sustained}</ul><ul>${ratios}${tratios}</ul>
<h2>Latency versus throughput</h2>
${chart(r.runs, (s) => s.sameE2E.p99, "same-node end-to-end p99 (ms, log)", r.options.objectiveMs)}
${chart(r.runs, (s) => s.sameE2E.p50, "same-node end-to-end p50 (ms, log)")}
${chart(r.runs, (s) => s.crossE2E.p99, "cross-node end-to-end p99 (ms, log)")}
${chart(r.runs, (s) => s.ack.p99, "sender ACK round trip p99 (ms, log)")}
<h2>Steps</h2>${r.runs.map(table).join("")}
${groupsHtml(r)}
${uploadsHtml(r)}
${r.extras ? `<h2>DIM extras</h2><pre>${esc(JSON.stringify(r.extras, null, 2))}</pre>` : ""}
</body></html>`;
}
