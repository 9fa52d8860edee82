/**
 * The tRPC gateway (@dim/api) mounted at /api/trpc. One gateway per server process, created on
 * the first request (not at build time) and kept across dev hot reloads.
 */
import { createGatewayFromEnv } from "@dim/api";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Gateway = Awaited<ReturnType<typeof createGatewayFromEnv>>;

const holder = globalThis as typeof globalThis & { __dimGateway?: Promise<Gateway> };

function gateway(): Promise<Gateway> {
  holder.__dimGateway ??= Promise.resolve()
    .then(() => createGatewayFromEnv())
    .catch((error: unknown) => {
      // Let the next request try again (for example, once the database is up).
      holder.__dimGateway = undefined;
      throw error;
    });
  return holder.__dimGateway;
}

async function handle(req: Request): Promise<Response> {
  const gw = await gateway();
  return gw.fetchHandler(req);
}

export { handle as GET, handle as POST };
