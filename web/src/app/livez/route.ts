/** `GET /livez`: this web server process is up (@dim/shared/node readiness). */
import { HEALTH_HEADERS, LIVENESS_BODY } from "@dim/shared/node";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(LIVENESS_BODY, { headers: HEALTH_HEADERS });
}
