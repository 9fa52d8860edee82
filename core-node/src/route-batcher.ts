/**
 * Presence lease calls batched: the sockets authenticating (or closing) at the same time are
 * claimed (or released) in one call to presence, as are those that arrive while a call is in
 * flight (natural batching), at most MAX_CLAIMS_PER_CALL routes per call.
 */
import { NaturalBatcher } from "@dim/shared/async";
import type { Route } from "@dim/infra";

/** Most presence leases claimed (connecting sockets) or released (closing ones) in one call. */
export const MAX_CLAIMS_PER_CALL = 1000;

/** Calls made together (and those made while a run is in flight) as one `run` of at most MAX_CLAIMS_PER_CALL routes. */
export function routeBatcher(run: (routes: Route[]) => Promise<void>): NaturalBatcher<Route, void> {
  return new NaturalBatcher<Route, void>(
    async (routes) => {
      await run(routes);
      return routes.map(() => ({ value: undefined }));
    },
    { maxItems: MAX_CLAIMS_PER_CALL },
  );
}

/** Like routeBatcher, for claims that may be refused (the per-user socket cap): `run` returns one flag per route. */
export function claimBatcher(run: (routes: Route[]) => Promise<boolean[]>): NaturalBatcher<Route, boolean> {
  return new NaturalBatcher<Route, boolean>(
    async (routes) => {
      const claimed = await run(routes);
      return claimed.map((value) => ({ value }));
    },
    { maxItems: MAX_CLAIMS_PER_CALL },
  );
}
