/**
 * What `GET /readyz` checks on a core node: registered and accepting (running, not fenced), the
 * bus and presence answering a round trip, plus whatever the process adds (main.ts: the database
 * and its migrations). A node that is not ready should get no new clients; its sockets stay.
 */
import type { Bus, Presence } from "@dim/infra";
import type { ReadinessCheck } from "@dim/shared/node";

export interface NodeReadinessSources {
  phase(): string;
  accepting(): boolean;
  registered(): boolean;
  bus: Bus;
  presence: Presence;
  /** Checks of the process that composed the node (database, migrations). */
  extra?: Record<string, ReadinessCheck>;
}

export function nodeReadinessChecks(src: NodeReadinessSources): Record<string, ReadinessCheck> {
  return {
    registered: () => {
      if (!src.registered() || !src.accepting()) throw new Error(`not registered and accepting (phase '${src.phase()}')`);
    },
    // The in-process (memory) bus and presence have nothing to reach.
    bus: () => src.bus.ping?.(),
    presence: () => src.presence.ping?.(),
    ...src.extra,
  };
}
