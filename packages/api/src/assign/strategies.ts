/**
 * How the gateway picks a core node for a client. The seed offered round-robin and random;
 * least-connections uses the load each node reports to the registry.
 */
import type { NodeInfo } from "@dim/infra";

export const ASSIGN_STRATEGIES = ["round-robin", "random", "least-connections"] as const;
export type AssignStrategyName = (typeof ASSIGN_STRATEGIES)[number];

export interface AssignStrategy {
  readonly name: string;
  /** Picks one of `nodes` (never empty). */
  pick(nodes: readonly NodeInfo[]): NodeInfo;
}

/** Registries return nodes in no promised order; sort so round-robin cycles predictably. */
function byId(nodes: readonly NodeInfo[]): NodeInfo[] {
  return [...nodes].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

/** Cycles through the live nodes (the counter is per gateway process). */
export function roundRobin(): AssignStrategy {
  let next = 0;
  return {
    name: "round-robin",
    pick(nodes) {
      const sorted = byId(nodes);
      const node = sorted[next % sorted.length]!;
      next = (next + 1) % Number.MAX_SAFE_INTEGER;
      return node;
    },
  };
}

export function random(rand: () => number = Math.random): AssignStrategy {
  return {
    name: "random",
    pick(nodes) {
      return nodes[Math.floor(rand() * nodes.length) % nodes.length]!;
    },
  };
}

/**
 * The node with the fewest connections. The reported counts lag, so ties (and bursts of logins
 * between two reports) are spread round-robin instead of all landing on the first node.
 */
export function leastConnections(): AssignStrategy {
  const tieBreak = roundRobin();
  return {
    name: "least-connections",
    pick(nodes) {
      const min = Math.min(...nodes.map((n) => n.connections));
      return tieBreak.pick(nodes.filter((n) => n.connections === min));
    },
  };
}

export function createAssignStrategy(name: AssignStrategyName): AssignStrategy {
  switch (name) {
    case "round-robin":
      return roundRobin();
    case "random":
      return random();
    case "least-connections":
      return leastConnections();
  }
}
