/** The chaos suite's tables: one per scenario, and a summary row per scenario at the end. */
import type { CheckResult, Spread } from "./checker";

export interface ScenarioOutcome {
  name: string;
  what: string;
  clients: number;
  durationS: number;
  faultAtS: number;
  injectionS: number;
  /** Seconds after the clients settled until every member held every stored message (null: some never did). */
  lateDeliveryS: number | null;
  result: CheckResult;
}

const verdict = (r: CheckResult) => (!r.ok ? "FAIL" : r.ordered ? "OK" : "OK, REORDERED");
const ms = (s: Spread) => (s.n === 0 ? "—" : `${s.p50} / ${s.max} ms (${s.n} clients)`);

export function scenarioTable(o: ScenarioOutcome): string {
  const r = o.result;
  const rows: Array<[string, string]> = [
    ["fault", o.what],
    ["traffic", `${o.clients} clients, ${o.durationS} s; fault at +${o.faultAtS.toFixed(1)} s, injection took ${o.injectionS.toFixed(1)} s`],
    ["created / acked / stored", `${r.created} / ${r.acked} / ${r.stored}${r.unsettled > 0 ? ` (${r.unsettled} never confirmed)` : ""}`],
    ["acknowledged but lost", String(r.counts.lost)],
    ["duplicated", String(r.counts.duplicated)],
    ["reordered in a connection", String(r.counts.reordered)],
    ["seq gaps", String(r.counts.gap)],
    ["stored, never delivered", String(r.counts.undelivered)],
    ["all delivered, after settling", o.lateDeliveryS === null ? "never (see below)" : o.lateDeliveryS < 1.5 ? "at once" : `+${o.lateDeliveryS.toFixed(1)} s`],
    ["reconnect p50 / max", ms(r.reconnectMs)],
    ["resume (ack) p50 / max", ms(r.resumeAckMs)],
    ["resume (delivery) p50 / max", ms(r.resumeDeliveryMs)],
    ["verdict", verdict(r)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = [`── ${o.name} ${"─".repeat(Math.max(0, 70 - o.name.length))}`, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
  for (const a of r.anomalies.slice(0, 10)) lines.push(`  ! ${a.kind} in ${a.conv}: ${a.detail}`);
  if (r.anomalies.length > 10) lines.push(`  ! … ${r.anomalies.length - 10} more`);
  return lines.join("\n");
}

export function summaryTable(outcomes: ScenarioOutcome[]): string {
  const head = ["scenario", "acked", "lost", "dup", "reord", "gaps", "undeliv", "reconnect max", "resume max", "verdict"];
  const body = outcomes.map((o) => {
    const r = o.result;
    const max = (s: Spread) => (s.max === null ? "—" : `${s.max} ms`);
    return [o.name, String(r.acked), String(r.counts.lost), String(r.counts.duplicated), String(r.counts.reordered), String(r.counts.gap), String(r.counts.undelivered), max(r.reconnectMs), max(r.resumeDeliveryMs), verdict(r)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [fmt(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(fmt)].join("\n");
}
