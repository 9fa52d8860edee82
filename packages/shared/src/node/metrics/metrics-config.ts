/**
 * Where a process serves `GET /metrics` (Prometheus text format): its own HTTP listener, never
 * the public port, bound to loopback by default. A listener on any other interface must carry a
 * bearer token (DIM_METRICS_TOKEN), so an operator cannot open the metrics to the network by
 * changing one variable. The same four variables on the gateway and every core node.
 */
import { z } from "zod";
import { flagVar, intVar } from "../config";

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

export const METRICS_TOKEN_REQUIRED = "DIM_METRICS_TOKEN (at least 16 characters) is required when DIM_METRICS_HOST is not a loopback address";

export const metricsEnvSchema = z
  .object({
    /** Serve /metrics at all (0 turns the listener off; the counters still count). */
    DIM_METRICS: flagVar(true),
    /** Interface of the metrics listener. Anything but loopback needs DIM_METRICS_TOKEN. */
    DIM_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
    /** Port of the metrics listener; 0 picks a free one (logged at boot). Give each process its own. */
    DIM_METRICS_PORT: intVar(0, 65535).default(0),
    /** When set, /metrics answers only `Authorization: Bearer <token>` (401 otherwise). */
    DIM_METRICS_TOKEN: z.string().min(16).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.DIM_METRICS && !isLoopbackHost(env.DIM_METRICS_HOST) && env.DIM_METRICS_TOKEN === undefined) {
      ctx.addIssue({ code: "custom", path: ["DIM_METRICS_TOKEN"], message: METRICS_TOKEN_REQUIRED });
    }
  });

export const metricsConfigSchema = metricsEnvSchema.transform((env) => ({
  enabled: env.DIM_METRICS,
  host: env.DIM_METRICS_HOST,
  port: env.DIM_METRICS_PORT,
  token: env.DIM_METRICS_TOKEN,
}));

export type MetricsConfig = z.output<typeof metricsConfigSchema>;

/** No listener: what code that builds a process itself (tests, the benchmark) gets by default. */
export const METRICS_OFF: MetricsConfig = { enabled: false, host: "127.0.0.1", port: 0, token: undefined };
