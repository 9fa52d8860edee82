/**
 * The tRPC gateway (@dim/api) mounted at /api/trpc: the process's one gateway
 * (lib/server/gateway-holder.ts), given each request's client address.
 */
import { currentPeerAddress } from "@dim/api/peer-address";
import { gateway, type Gateway } from "@/lib/server/gateway-holder";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

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
  return gw.fetchHandler(req, { clientIp: clientIp(gw) });
}

/** Every request that reaches us without a known peer address shares this rate-limit bucket. */
const UNKNOWN_PEER = "unknown";
let warnedUnknownPeer = false;

/**
 * The peer address web/scripts/serve-web.ts saw on the socket. Under plain `next start` there is
 * none, and X-Forwarded-For is whatever the client sent (Next only fills it in when absent), so
 * unless DIM_TRUST_PROXY says a proxy of ours sets it, those requests share one bucket: the
 * per-address limits stay on (stricter, never off), and we say so once.
 */
function clientIp(gw: Gateway): string {
  const peer = currentPeerAddress();
  if (peer) return peer;
  if (!warnedUnknownPeer && !gw.config.trustProxy) {
    warnedUnknownPeer = true;
    console.warn(
      "[web] the client address is unknown (not served by scripts/serve-web.ts): every client shares one login/registration rate-limit bucket. Use `npm start`, or DIM_TRUST_PROXY=1 behind a proxy that sets X-Forwarded-For.",
    );
  }
  return UNKNOWN_PEER;
}

// OPTIONS too: otherwise Next.js answers preflights itself, without the CORS headers an allowed
// origin needs (the gateway answers them, and refuses other origins).
export { handle as GET, handle as POST, handle as OPTIONS };
