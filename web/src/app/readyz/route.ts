/**
 * `GET /readyz`: the gateway could be created (config valid, database migrated) and its database
 * answers now. 503 with the failing checks by name otherwise (@dim/shared/node readiness).
 */
import { HEALTH_HEADERS, readinessStatus, type ReadinessReport } from "@dim/shared/node";
import { gateway } from "@/lib/server/gateway-holder";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  let report: ReadinessReport;
  try {
    report = await (await gateway()).readiness();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    report = { status: "not ready", notReady: ["gateway"], checks: { gateway: { ok: false, error: `cannot start: ${message}` } } };
  }
  return Response.json(report, { status: readinessStatus(report), headers: HEALTH_HEADERS });
}
