/** The seams as one `Infra` with one idempotent close (each part closed, then what they share). */
import type { Bus, Infra, Presence, RateStore, Registry } from "./types";

export function composeInfra(parts: { bus: Bus; registry: Registry; presence: Presence; rates: RateStore }, closeShared?: () => Promise<void>): Infra {
  const { bus, registry, presence, rates } = parts;
  let closing: Promise<void> | undefined;
  return {
    bus,
    registry,
    presence,
    rates,
    close() {
      closing ??= (async () => {
        await Promise.allSettled([bus.close(), registry.close(), presence.close(), rates.close()]);
        await closeShared?.();
      })();
      return closing;
    },
  };
}
