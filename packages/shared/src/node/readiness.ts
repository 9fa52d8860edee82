/**
 * Liveness and readiness, the same on every DIM server (gateway and core nodes):
 *
 * - `GET /livez`: the process is up and serving HTTP. Always 200 `{"status":"alive"}`; an
 *   orchestrator restarts the process when it stops answering.
 * - `GET /readyz`: every check passes (each server lists its own). 200 `{"status":"ready",
 *   "checks":{…}}`, or 503 `{"status":"not ready","notReady":[names],"checks":{name:{ok,error}}}`;
 *   a load balancer sends no traffic while it is 503.
 *
 * A check is a function that throws (or rejects) when not ready; one that takes longer than the
 * timeout counts as failed, so a hung dependency makes the server not ready instead of hanging
 * the probe.
 */
export const LIVENESS_PATH = "/livez";
export const READINESS_PATH = "/readyz";

export type ReadinessCheck = () => unknown;

export interface CheckResult {
  ok: boolean;
  /** Why not, when not ok. */
  error?: string;
}

export interface ReadinessReport {
  status: "ready" | "not ready";
  /** The failed checks' names, in the order they were given. */
  notReady: string[];
  checks: Record<string, CheckResult>;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

export const LIVENESS_BODY = { status: "alive" } as const;

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once. */
export async function runReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number = DEFAULT_CHECK_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => runOne(checks[name]!, timeoutMs)));
  const report: ReadinessReport = { status: "ready", notReady: [], checks: {} };
  names.forEach((name, i) => {
    report.checks[name] = results[i]!;
    if (!results[i]!.ok) report.notReady.push(name);
  });
  if (report.notReady.length > 0) report.status = "not ready";
  return report;
}

/** The HTTP status of a report: 200 when ready, 503 when not. */
export function readinessStatus(report: ReadinessReport): 200 | 503 {
  return report.status === "ready" ? 200 : 503;
}

/** Health answers are never cached. */
export const HEALTH_HEADERS = { "content-type": "application/json", "cache-control": "no-store" } as const;
