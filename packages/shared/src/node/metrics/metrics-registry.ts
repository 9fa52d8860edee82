/**
 * One prom-client Registry per process part (a gateway, a core node), never the global one: a
 * test or the benchmark runs several of them in one process, and each must count its own.
 * Labelled series are made once for closed sets of values (`boundChildren`); the hottest counters
 * are CounterCells (counter-cells.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** A registry of one process part. prom-client's process metrics join it when it is served (addDefaultMetrics). */
export function createMetricsRegistry(): Registry {
  return new Registry();
}

/**
 * prom-client's process metrics (event-loop lag, heap, GC, CPU) added to a registry; idempotent
 * per registry. Only served registries get them: their event-loop monitor is not free.
 */
export function addDefaultMetrics(registry: Registry): void {
  if (registry.getSingleMetric("process_cpu_user_seconds_total")) return;
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}

/**
 * The children of a one-label metric for every value of a closed set, made once: a label value
 * never comes from input (unbounded series), and an increment is a property read. Counter
 * children start at 0, so every series exists from the first scrape (rate() sees its first rise).
 */
export function boundChildren<V extends string, C>(
  metric: { labels(...values: string[]): C },
  values: readonly V[],
): Record<V, C> {
  return Object.fromEntries(
    values.map((v) => {
      const child = metric.labels(v);
      if (metric instanceof Counter) (child as { inc(n: number): void }).inc(0);
      return [v, child];
    }),
  ) as Record<V, C>;
}

/** Seconds since a `performance.now()` reading: what a duration histogram observes. */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}

/** Buckets (seconds) for latencies from a fraction of a millisecond to seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
