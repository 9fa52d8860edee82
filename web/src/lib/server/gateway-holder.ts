/**
 * The one gateway of this server process, created on the first request (not at build time) and
 * kept across dev hot reloads. A failed creation (database down, bad config) is forgotten, so the
 * next request tries again.
 */
import { createGatewayFromEnv } from "@dim/api";
import { pinPinoTransportPaths } from "./pino-transports";

export type Gateway = Awaited<ReturnType<typeof createGatewayFromEnv>>;

const holder = globalThis as typeof globalThis & { __dimGateway?: Promise<Gateway> };

export function gateway(): Promise<Gateway> {
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
