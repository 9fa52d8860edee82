/**
 * Where the cluster tests find the real services: provided by the cluster project's global setup
 * (scripts/infra/vitest-cluster-setup.ts), else the ones `npm run infra:up` started.
 */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { createLogger } from "@dim/shared/node";
import { deliver as baseDeliver, type BusEnvelope } from "../helpers";
import { infraControl, type InfraControl } from "../../../../scripts/infra/control";
import { DEFAULT_RUN_DIR } from "../../../../scripts/infra/paths";
import { liveState, type InfraState } from "../../../../scripts/infra/state";
import { sleep } from "@dim/shared/async";
export { sleep };

declare module "vitest" {
  export interface ProvidedContext {
    dimCluster: InfraState;
  }
}

export function clusterState(): InfraState {
  const provided = inject("dimCluster");
  if (provided) return provided;
  const running = liveState(process.env.DIM_INFRA_RUN_DIR ?? DEFAULT_RUN_DIR);
  if (running) return running;
  throw new Error(
    "cluster services are not available: run these tests with the cluster project " +
      "(npm run test:cluster) or start them with npm run infra:up",
  );
}

export function control(): InfraControl {
  return infraControl(clusterState().controlUrl);
}

export const testLogger = createLogger("cluster-test");

/** A unique node id per test (topics, groups and znodes never collide across runs). */
export function nodeId(label: string): string {
  return `t-${label}-${randomUUID().slice(0, 8)}`;
}

/** A bus envelope for tests (the cluster tests pass recipients, not a body). */
export function deliver(conversationId: string, seq: number, recipients?: string[]): BusEnvelope {
  return baseDeliver(conversationId, seq, undefined, recipients);
}

