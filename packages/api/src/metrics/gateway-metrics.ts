/**
 * A gateway's Prometheus metrics, in its own registry (served by a metrics listener, never on the
 * public port: @dim/shared/metrics). The procedure label only ever holds a path of our router —
 * tRPC runs procedure middleware for resolved procedures only — and the result label `ok` or an
 * ErrorCode, so the series are bounded; each child is made once and then reused.
 */
import { ERROR_CODES, type ErrorCode } from "@dim/shared";
import { boundChildren, Counter, createMetricsRegistry, Histogram, LATENCY_BUCKETS, type Registry } from "@dim/shared/metrics";

/** A procedure's outcome: `ok`, or the AppError code it answered with. */
export type CallResult = "ok" | ErrorCode;
const RESULTS: readonly CallResult[] = ["ok", ...ERROR_CODES];

type Inc = { inc(value?: number): void };
type Observe = { observe(value: number): void };

interface PathSeries {
  calls: Partial<Record<CallResult, Inc>>;
  seconds: Observe;
}

export class GatewayMetrics {
  readonly registry: Registry;
  private readonly calls: Counter;
  private readonly seconds: Histogram;
  private readonly byPath = new Map<string, PathSeries>();
  /** Errors tRPC answered (procedures, unknown paths, bad batches), by code. */
  readonly errors: Record<ErrorCode, Inc>;
  readonly logins: Record<CallResult, Inc>;
  readonly registrations: Record<CallResult, Inc>;

  constructor(registry: Registry = createMetricsRegistry()) {
    this.registry = registry;
    const registers = [registry];
    this.calls = new Counter({ name: "dim_gateway_procedure_calls_total", help: "tRPC procedure calls, by procedure and result (ok or error code)", labelNames: ["procedure", "result"], registers });
    this.seconds = new Histogram({ name: "dim_gateway_procedure_duration_seconds", help: "Time a procedure took, by procedure", labelNames: ["procedure"], buckets: LATENCY_BUCKETS, registers });
    const errors = new Counter({ name: "dim_gateway_errors_total", help: "Errors the tRPC endpoint answered, by code", labelNames: ["code"], registers });
    const logins = new Counter({ name: "dim_gateway_logins_total", help: "auth.login calls, by result", labelNames: ["result"], registers });
    const registrations = new Counter({ name: "dim_gateway_registrations_total", help: "auth.register calls, by result", labelNames: ["result"], registers });
    this.errors = boundChildren(errors, ERROR_CODES);
    this.logins = boundChildren(logins, RESULTS);
    this.registrations = boundChildren(registrations, RESULTS);
  }

  /** One procedure call finished after `seconds`. */
  called(path: string, result: CallResult, seconds: number): void {
    let series = this.byPath.get(path);
    if (!series) {
      series = { calls: {}, seconds: this.seconds.labels(path) };
      this.byPath.set(path, series);
    }
    (series.calls[result] ??= this.calls.labels(path, result)).inc();
    series.seconds.observe(seconds);
    if (path === "auth.login") this.logins[result].inc();
    else if (path === "auth.register") this.registrations[result].inc();
  }
}
