/**
 * One chaos run: starts the cluster (cluster.ts), then for each scenario registers fresh people
 * (pairs talking 1:1, and everyone in one group), forks the client workers, lets traffic run,
 * injects the fault at 30 % of the duration, lets traffic run to the end, settles the clients,
 * reads PostgreSQL's rows and checks the history (checker.ts). Everything is stopped at the end,
 * also when a step throws.
 */
import { sleep } from "@dim/shared/async";
import type { ChaosArgs } from "./args";
import { check } from "./checker";
import { ChaosCluster } from "./cluster";
import type { History } from "./history";
import type { ScenarioOutcome } from "./report";
import { SCENARIOS } from "./scenarios";
import { ClientWorkers } from "./workers";
import type { InfraState } from "../infra/state";

/** How long after settling a stored message may still reach a member before it counts as never delivered. */
export const DELIVERY_GRACE_MS = 30_000;

export interface RunOptions extends ChaosArgs {
  runDir: string;
  services?: InfraState;
  say(line: string): void;
  /** Called with each scenario's outcome as soon as it is known. */
  onOutcome?(o: ScenarioOutcome): void;
}

export interface RunHandle {
  cluster: ChaosCluster;
  workers: Set<ClientWorkers>;
}

/** For the CLI's signal handlers: what to stop when the run is interrupted. */
export const current: RunHandle = { cluster: undefined as unknown as ChaosCluster, workers: new Set() };

export async function runChaos(opts: RunOptions): Promise<ScenarioOutcome[]> {
  const cluster = new ChaosCluster({ runDir: opts.runDir, nodes: opts.nodes, services: opts.services, say: opts.say });
  current.cluster = cluster;
  const outcomes: ScenarioOutcome[] = [];
  try {
    await cluster.start();
    for (const name of opts.scenarios) {
      const outcome = await runScenario(cluster, name, opts);
      outcomes.push(outcome);
      opts.onOutcome?.(outcome);
    }
    return outcomes;
  } finally {
    opts.say("stopping the cluster …");
    for (const w of current.workers) await w.stop();
    await cluster.close();
  }
}

async function runScenario(cluster: ChaosCluster, name: string, opts: RunOptions): Promise<ScenarioOutcome> {
  const scenario = SCENARIOS.find((s) => s.name === name)!;
  const say = opts.say;
  await cluster.topUp();
  if (!cluster.gateway?.alive) await cluster.startGateway();
  say(`[${name}] ${scenario.what}`);

  // People: pairs talk 1:1 (an odd one out only in the group), everyone in one group.
  const people = [];
  for (let i = 0; i < opts.clients; i++) people.push(await cluster.register(`c${i}`));
  const direct: Array<{ conv: string; members: string[] }> = [];
  for (let i = 0; i + 1 < people.length; i += 2) {
    direct.push({ conv: await cluster.befriend(people[i]!, people[i + 1]!), members: [people[i]!.id, people[i + 1]!.id] });
  }
  // Only contacts can be added to a group: the owner befriends everyone it has no pair with.
  for (const p of people.slice(2)) await cluster.befriend(people[0]!, p);
  const group = await cluster.group(people[0]!, people.slice(1), `chaos ${name}`);
  const members: Record<string, string[]> = { [group]: people.map((p) => p.id) };
  for (const d of direct) members[d.conv] = d.members;
  const specs = people.map((p) => ({
    userId: p.id,
    token: p.token,
    convs: [...direct.filter((d) => d.members.includes(p.id)).map((d) => d.conv), group],
  }));

  const workers = new ClientWorkers(opts.runDir);
  current.workers.add(workers);
  try {
    const processes = Math.min(3, Math.max(1, Math.ceil(people.length / 4)));
    await workers.setup(processes, cluster.gatewayUrl, specs, opts.rate, 4);
    say(`[${name}] ${people.length} clients connected in ${processes} worker processes; traffic for ${opts.durationS} s`);
    const t0 = Date.now();
    workers.start();
    const faultAfter = opts.durationS * 300;
    await sleep(faultAfter);
    say(`[${name}] +${((Date.now() - t0) / 1000).toFixed(1)} s: injecting the fault`);
    const at = Date.now();
    await scenario.inject({ cluster, workers, userIds: people.map((p) => p.id), say });
    const endAt = Date.now();
    await sleep(Math.max(0, t0 + opts.durationS * 1000 - Date.now()));
    say(`[${name}] +${((Date.now() - t0) / 1000).toFixed(1)} s: traffic stopped; settling the clients …`);
    const recorded = await workers.settle(90_000, 2_000);
    const history: History = { ...recorded, stored: await cluster.storedRows(Object.keys(members)), members, fault: { at, endAt } };
    // A stored message still on its way (the bus recovering) is not "never delivered" yet: ask
    // the clients again until DELIVERY_GRACE_MS after traffic stopped.
    let result = check(history);
    const stoppedAt = Date.now();
    while (result.counts.undelivered > 0 && Date.now() - stoppedAt < DELIVERY_GRACE_MS) {
      await sleep(1_000);
      history.held = await workers.held();
      result = check(history);
    }
    const lateDeliveryS = result.counts.undelivered === 0 ? (Date.now() - stoppedAt) / 1000 : null;
    if (Date.now() - stoppedAt > 1_500) say(`[${name}] waited ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s for stored messages to reach every member`);
    return { name, what: scenario.what, clients: people.length, durationS: opts.durationS, faultAtS: (at - t0) / 1000, injectionS: (endAt - at) / 1000, lateDeliveryS, result };
  } finally {
    await workers.stop();
    current.workers.delete(workers);
  }
}
