/**
 * The tRPC gateway (@dim/api) mounted at /api/trpc. One gateway per server process, created on
 * the first request (not at build time) and kept across dev hot reloads.
 */
import { createGatewayFromEnv } from "@dim/api";
import { pinPinoTransportPaths } from "@/lib/server/pino-transports";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Gateway = Awaited<ReturnType<typeof createGatewayFromEnv>>;

const holder = globalThis as typeof globalThis & { __dimGateway?: Promise<Gateway> };

function gateway(): Promise<Gateway> {
  holder.__dimGateway ??= Promise.resolve()
    .then(() => {
      pinPinoTransportPaths();
      return createGatewayFromEnv();
    })
    .catch((error: unknown) => {
      // Let the next request try again (for example, once the database is up).
      holder.__dimGateway = undefined;
      throw error;
    });
  return holder.__dimGateway;
}

/** What clients get while the gateway cannot start (database down, bad config): a typed 503. */
function unavailable(): Response {
  const error = {
    code: -32603,
    message: "the gateway is not available yet; try again shortly",
    data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 503, appCode: "INTERNAL" },
  };
  return Response.json({ error }, { status: 503, headers: { "Retry-After": "2" } });
}

async function handle(req: Request): Promise<Response> {
  let gw: Gateway;
  try {
    gw = await gateway();
  } catch (error) {
    console.error("[web] cannot start the gateway:", error);
    return unavailable();
  }
  return gw.fetchHandler(req);
}

// OPTIONS too: otherwise Next.js answers preflights itself, without the CORS headers an allowed
// origin needs (the gateway answers them, and refuses other origins).
export { handle as GET, handle as POST, handle as OPTIONS };
