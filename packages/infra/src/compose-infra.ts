/** The three seams as one `Infra` with one idempotent close (each part closed, then what they share). */
import type { Bus, Infra, Presence, Registry } from "./types";

export function composeInfra(parts: { bus: Bus; registry: Registry; presence: Presence }, closeShared?: () => Promise<void>): Infra {
  const { bus, registry, presence } = parts;
  let closing: Promise<void> | undefined;
  return {
    bus,
    registry,
    presence,
    close() {
      closing ??= (async () => {
        await Promise.allSettled([bus.close(), registry.close(), presence.close()]);
        await closeShared?.();
      })();
      return closing;
    },
  };
}
