/**
 * Helpers for tests that drive a DimClient against real servers (this package's integration
 * test, the cluster system tests, the benchmark). Not part of the client a PWA ships.
 */
import type { DimClient } from "./dim-client";
import type { DimClientEvents } from "./types";

/** Resolves at the first `event` whose payload matches; rejects after timeoutMs. */
export function until<K extends keyof DimClientEvents>(
  client: DimClient,
  event: K,
  match: (payload: DimClientEvents[K]) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<DimClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}
