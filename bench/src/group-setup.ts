/**
 * The users and groups of the group steps, per system. DIM's go through the gateway as a real
 * client's would: `auth.register` (argon2id) for every member, the owner (member 0) asks each of
 * the others to be a contact and they accept (groups take only the adder's contacts),
 * `groups.create` with the first Limits.maxGroupBatch members and `groups.addMembers` in batches
 * of that size for the rest, then `nodes.assign` pinned to the member's node (member i on node
 * i mod N). The groups are nested: the group of size s holds members 0 … s-1. The baseline's
 * members are names; a socket joins the rooms of its groups at its handshake.
 */
import { createGatewayClient } from "@dim/client";
import { Limits } from "@dim/shared";
import { mapLimit } from "./procs";

export interface PreparedGroups {
  /** Member i: its user, the node / server it connects to, and (Socket.IO) the rooms it joins. */
  users: Array<{ userId: string; url: string; token?: string; rooms?: string[] }>;
  /** The group of each size: DIM conversation id / Socket.IO room name. */
  groups: Record<number, string>;
}

type Log = (line: string) => void;

/** Calls fn over the items with `n` in flight, logging "<what> done/total" every few seconds. */
async function withProgress<T, R>(what: string, items: T[], n: number, log: Log, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  let done = 0;
  const t0 = Date.now();
  const timer = setInterval(() => log(`${what} ${done}/${items.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`), 5_000);
  try {
    return await mapLimit(items, n, async (item, i) => {
      const r = await fn(item, i);
      done++;
      return r;
    });
  } finally {
    clearInterval(timer);
    log(`${what} ${done}/${items.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

export async function prepareDimGroups(gatewayUrl: string, nodeIds: string[], sizes: number[], tag: string, log: Log): Promise<PreparedGroups> {
  const count = Math.max(...sizes);
  const prefix = `g${tag.replace(/[^a-z0-9]/g, "")}_`.slice(0, 16);
  const gw = (sessionToken?: string) => createGatewayClient({ baseUrl: gatewayUrl, ...(sessionToken ? { sessionToken } : {}) });
  const users = await withProgress("registered", Array.from({ length: count }, (_, i) => i), 4, log, async (i) => {
    const username = `${prefix}${i}`;
    const s = await gw().auth.register.mutate({ username, password: "bench-password-1" });
    return { username, userId: s.user.id, sessionToken: s.sessionToken };
  });
  const owner = users[0]!;
  const ownerGw = gw(owner.sessionToken);
  await withProgress("owner's contacts", users.slice(1), 8, log, async (u) => {
    const req = await ownerGw.contacts.request.mutate({ username: u.username });
    await gw(u.sessionToken).contacts.accept.mutate({ requestId: req.id });
  });
  const groups: Record<number, string> = {};
  for (const size of [...new Set(sizes)].sort((a, b) => a - b)) {
    const others = users.slice(1, size).map((u) => u.userId);
    const first = others.slice(0, Limits.maxGroupBatch);
    const created = await ownerGw.groups.create.mutate({ title: `bench ${size}`, memberIds: first });
    const conversationId = created.conversation.id;
    for (let i = first.length; i < others.length; i += Limits.maxGroupBatch) {
      await ownerGw.groups.addMembers.mutate({ conversationId, userIds: others.slice(i, i + Limits.maxGroupBatch) });
    }
    groups[size] = conversationId;
    log(`group of ${size} members created (${Math.ceil(Math.max(1, others.length) / Limits.maxGroupBatch)} calls)`);
  }
  const assigned = await withProgress("socket tokens", users, 8, log, async (u, i) => {
    const want = nodeIds[i % nodeIds.length]!;
    const a = await gw(u.sessionToken).nodes.assign.mutate({ exclude: nodeIds.filter((n) => n !== want) });
    if (a.nodeId !== want) throw new Error(`nodes.assign gave ${a.nodeId}, wanted ${want}`);
    return { userId: u.userId, url: a.wsUrl, token: a.token };
  });
  return { users: assigned, groups };
}

export function baselineGroups(urls: string[], sizes: number[], tag: string): PreparedGroups {
  const count = Math.max(...sizes);
  const groups: Record<number, string> = {};
  for (const size of sizes) groups[size] = `${tag}-group${size}`;
  const users = Array.from({ length: count }, (_, i) => ({
    userId: `${tag}-g${i}`,
    url: urls[i % urls.length]!,
    rooms: sizes.filter((s) => i < s).map((s) => groups[s]!),
  }));
  return { users, groups };
}
