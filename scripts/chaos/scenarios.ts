/**
 * The faults of the chaos suite. Each `inject` runs while the clients send; the runner notes the
 * time before it (the fault) and after it (injection and repair done). Replacement core nodes are
 * new ids (the runner tops the cluster up again before the next scenario).
 */
import { sleep } from "@dim/shared/async";
import type { ChaosCluster } from "./cluster";
import { CHAOS_NODE_ENV } from "./cluster";
import type { ClientWorkers } from "./workers";

export interface ScenarioContext {
  cluster: ChaosCluster;
  workers: ClientWorkers;
  userIds: string[];
  say(line: string): void;
}

export interface Scenario {
  name: string;
  what: string;
  inject(ctx: ScenarioContext): Promise<void>;
}

/** How long a dead service stays down before it is started again. */
const DOWN_MS = 2_000;
/** SIGSTOP this long: well past the ZooKeeper session timeout (DIM_REGISTRY_TTL_MS), so the node is fenced. */
const PAUSE_MS = 2 * Number(CHAOS_NODE_ENV.DIM_REGISTRY_TTL_MS) + 2_000;

function victimNode(ctx: ScenarioContext): string {
  const id = ctx.cluster.liveNodes()[0];
  if (!id) throw new Error("no live core node to fault");
  return id;
}

async function killAndStart(ctx: ScenarioContext, name: "kafka" | "redis"): Promise<void> {
  await ctx.cluster.service("kill9", name);
  ctx.say(`  ${name} killed (-9); starting it again in ${DOWN_MS / 1000} s`);
  await sleep(DOWN_MS);
  await ctx.cluster.service("start", name);
  ctx.say(`  ${name} running again`);
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "node-kill9",
    what: "kill -9 of a core node; its clients reconnect through the gateway to the others; a replacement node is started",
    async inject(ctx) {
      const id = victimNode(ctx);
      await ctx.cluster.nodes.get(id)!.kill9();
      ctx.say(`  ${id} killed (-9); starting a replacement`);
      await ctx.cluster.startNode();
    },
  },
  {
    name: "kafka-kill9",
    what: `kill -9 of the Kafka broker, started again after ${DOWN_MS / 1000} s (same port, same data)`,
    inject: (ctx) => killAndStart(ctx, "kafka"),
  },
  {
    name: "redis-kill9",
    what: `kill -9 of Redis (presence), started again after ${DOWN_MS / 1000} s`,
    inject: (ctx) => killAndStart(ctx, "redis"),
  },
  {
    name: "postgres-restart",
    what: "PostgreSQL stopped and started again (the launcher's restart: same port, same data)",
    async inject(ctx) {
      await ctx.cluster.service("restart", "postgres");
      ctx.say("  postgres restarted");
    },
  },
  {
    name: "gateway-kill9",
    what: `kill -9 of the gateway; a third of the clients drop their sockets while it is down (they must wait for it to assign a node); started again on the same port after ${DOWN_MS / 1000} s`,
    async inject(ctx) {
      await ctx.cluster.gateway!.kill9();
      const dropped = await ctx.workers.disconnect(third(ctx.userIds));
      ctx.say(`  gateway killed (-9); ${dropped} client sockets dropped`);
      await sleep(DOWN_MS);
      await ctx.cluster.startGateway();
      ctx.say("  gateway running again");
    },
  },
  {
    name: "node-sigstop-fencing",
    what: `SIGSTOP of a core node for ${PAUSE_MS / 1000} s (past its ZooKeeper session: it is fenced), then SIGCONT`,
    async inject(ctx) {
      const id = victimNode(ctx);
      const node = ctx.cluster.nodes.get(id)!;
      node.pause();
      ctx.say(`  ${id} stopped (SIGSTOP) for ${PAUSE_MS / 1000} s`);
      await sleep(PAUSE_MS);
      node.resume();
      ctx.say(`  ${id} continued (SIGCONT)`);
    },
  },
  {
    name: "client-disconnects",
    what: "abrupt disconnects (TCP destroyed, no close frame) of a third of the clients",
    async inject(ctx) {
      const dropped = await ctx.workers.disconnect(third(ctx.userIds));
      ctx.say(`  ${dropped} client sockets destroyed`);
    },
  },
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

/** Every third client (at least one). */
function third(userIds: string[]): string[] {
  const picked = userIds.filter((_, i) => i % 3 === 0);
  return picked.length > 0 ? picked : userIds.slice(0, 1);
}
