/**
 * DIM against the rooms baseline in the group steps, per repetition: the ratios of each (size,
 * rate) step, the highest deliveries/s of each size (a step that delivered ≥ 95 % with the last
 * member's p99 under the stop bound), and issue 10's target — p99 to the last member of a
 * 1,000-member group ≤ 100 ms at 10 messages/s, deliveries/s ≥ ½ × the baseline.
 */
import type { GroupRun, GroupStepSummary } from "./group-run";

export const GROUP_BASELINE = "socketio-rooms";
export const GROUP_TARGET = { size: 1000, rate: 10, lastP99Ms: 100, minDeliveriesRatio: 0.5 } as const;

export interface GroupRatio {
  size: number;
  rate: number;
  rep: number;
  dimDeliveriesPerSec: number;
  baseDeliveriesPerSec: number;
  /** DIM / baseline. */
  deliveries: number;
  dimLastP99: number;
  baseLastP99: number;
  /** DIM / baseline (> 1: DIM slower). */
  lastP99: number;
}

export interface GroupSummary {
  ratios: GroupRatio[];
  /** Per size and repetition: highest delivering deliveries/s of each system and their ratio. */
  capacity: Array<{ size: number; rep: number; dim: number; baseline: number; ratio: number; dimTopRate: number; baseTopRate: number }>;
  /** The target step, per repetition (absent when not run). */
  target: Array<{ rep: number; lastP99: number; deliveriesRatio: number; met: boolean; lost: number; duplicates: number }>;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function summarizeGroups(runs: GroupRun[]): GroupSummary {
  const out: GroupSummary = { ratios: [], capacity: [], target: [] };
  for (const dim of runs.filter((r) => r.system === "dim")) {
    const base = runs.find((r) => r.system === GROUP_BASELINE && r.rep === dim.rep);
    const find = (run: GroupRun | undefined, size: number, rate: number) => run?.steps.find((s) => s.size === size && s.rate === rate);
    for (const d of dim.steps) {
      const b = find(base, d.size, d.rate);
      if (!b) continue;
      out.ratios.push({
        size: d.size,
        rate: d.rate,
        rep: dim.rep,
        dimDeliveriesPerSec: d.deliveriesPerSec,
        baseDeliveriesPerSec: b.deliveriesPerSec,
        deliveries: b.deliveriesPerSec > 0 ? r2(d.deliveriesPerSec / b.deliveriesPerSec) : 0,
        dimLastP99: d.last.p99,
        baseLastP99: b.last.p99,
        lastP99: b.last.p99 > 0 ? r2(d.last.p99 / b.last.p99) : 0,
      });
    }
    const top = (run: GroupRun | undefined, size: number): GroupStepSummary | undefined =>
      run?.steps.filter((s) => s.size === size && s.delivering).sort((x, y) => y.deliveriesPerSec - x.deliveriesPerSec)[0];
    for (const size of [...new Set(dim.steps.map((s) => s.size))]) {
      const d = top(dim, size);
      const b = top(base, size);
      if (base) {
        out.capacity.push({
          size,
          rep: dim.rep,
          dim: d?.deliveriesPerSec ?? 0,
          baseline: b?.deliveriesPerSec ?? 0,
          ratio: b && b.deliveriesPerSec > 0 ? r2((d?.deliveriesPerSec ?? 0) / b.deliveriesPerSec) : 0,
          dimTopRate: d?.rate ?? 0,
          baseTopRate: b?.rate ?? 0,
        });
      }
    }
    const t = find(dim, GROUP_TARGET.size, GROUP_TARGET.rate);
    const tb = find(base, GROUP_TARGET.size, GROUP_TARGET.rate);
    if (t) {
      const deliveriesRatio = tb && tb.deliveriesPerSec > 0 ? r2(t.deliveriesPerSec / tb.deliveriesPerSec) : 0;
      out.target.push({
        rep: dim.rep,
        lastP99: t.last.p99,
        deliveriesRatio,
        met: t.lost === 0 && t.duplicates === 0 && t.last.count > 0 && t.last.p99 <= GROUP_TARGET.lastP99Ms && deliveriesRatio >= GROUP_TARGET.minDeliveriesRatio,
        lost: t.lost,
        duplicates: t.duplicates,
      });
    }
  }
  return out;
}
