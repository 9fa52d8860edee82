/**
 * Presence on Redis (ioredis).
 *
 * One hash per user, `dim:presence:<userId>`: field = connectionId, value = `<nodeId>|<expiresAt>`
 * where expiresAt is in Redis's own clock (TIME), so nodes with skewed clocks agree. Several
 * devices of a user are several fields. The key itself expires (PEXPIRE) once its longest lease
 * has, so a user whose nodes all died leaves nothing behind.
 *
 * - claim: one Lua call for up to CLAIM_USERS_PER_CALL users (the leases of many connects, or a
 *   node's whole refresh, in a few calls and ONE pipeline) sets the fields with now+ttl and extends
 *   each key's expiry if needed. Claiming again renews. (Many keys in one script: a single Redis,
 *   as DIM_REDIS_URL names, not a Redis Cluster.)
 * - claimCapped (the per-user socket cap): one Lua call per user counts the unexpired fields other
 *   than the connection's own and sets each new field only while the count is under the cap, so
 *   two nodes admitting the same user's sockets at once never pass it together (a script runs
 *   alone in Redis). Expired fields (a crashed node's leases) do not count and are deleted.
 * - release: Lua compare-and-delete — the field is removed only if it still names route.nodeId,
 *   so a stale node can never remove a route another node holds now.
 * - routesOf: Lua per user (one pipeline) returns the unexpired fields and deletes expired ones.
 *
 * Redis 7.0 has no per-field expiry (HPEXPIRE is 7.4+), hence the expiry in the value. The
 * scripts are loaded with EVALSHA and re-sent after a Redis restart (ioredis handles NOSCRIPT).
 * While Redis is unreachable commands wait in ioredis's offline queue and go out on reconnect.
 */
import { Redis, type RedisOptions } from "ioredis";
import { AppError, ErrorCode, UUID_RE, NODE_ID_RE } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { assertTtl } from "../lease-ttl";
import { checkCappedClaim } from "../socket-cap";
import type { Presence, Route } from "../types";
import { quitRedis } from "./redis-quit";

export interface RedisPresenceOptions {
  url: string;
  logger: Logger;
  /** Key prefix (default "dim:presence:"). */
  prefix?: string;
  /** Extra ioredis options (tests shorten retries). */
  redisOptions?: RedisOptions;
}

const MAX_CONNECTION_ID = 64;

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS user keys; ARGV[1] ttl ms; then per key: its number of leases n, then n connectionId, nodeId pairs. */
const CLAIM_LUA = `${NOW_MS}
local ttl = tonumber(ARGV[1])
local exp = now + ttl
local a = 2
for k = 1, #KEYS do
  local n = tonumber(ARGV[a])
  a = a + 1
  for j = 1, n do
    redis.call('HSET', KEYS[k], ARGV[a], ARGV[a + 1] .. '|' .. exp)
    a = a + 2
  end
  if redis.call('PTTL', KEYS[k]) < ttl then redis.call('PEXPIRE', KEYS[k], ttl) end
end
return #KEYS`;

/** Users per claim script call: bounds how long one call holds Redis. */
const CLAIM_USERS_PER_CALL = 500;

/**
 * KEYS[1] user key; ARGV[1] ttl ms; ARGV[2] cap; then connectionId, nodeId pairs → one 1 (claimed)
 * or 0 (refused: the user holds cap live leases) per pair.
 */
const CLAIM_CAPPED_LUA = `${NOW_MS}
local ttl = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
local live = {}
local count = 0
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, '|', 1, true)
  local exp = sep and tonumber(string.sub(v, sep + 1)) or 0
  if exp > now then
    live[all[i]] = true
    count = count + 1
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
local out = {}
for a = 3, #ARGV, 2 do
  local conn = ARGV[a]
  local others = count
  if live[conn] then others = others - 1 end
  if others < cap then
    redis.call('HSET', KEYS[1], conn, ARGV[a + 1] .. '|' .. (now + ttl))
    if not live[conn] then
      live[conn] = true
      count = count + 1
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return out`;

/** KEYS[1] user key; ARGV[1] connectionId; ARGV[2] nodeId. 1 = removed, 0 = not ours / absent. */
const RELEASE_LUA = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local sep = string.find(v, '|', 1, true)
if sep and string.sub(v, 1, sep - 1) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0`;

/** KEYS[1] user key → flat list connectionId, nodeId of live leases; expired fields are deleted. */
const ROUTES_LUA = `${NOW_MS}
local all = redis.call('HGETALL', KEYS[1])
local live = {}
local dead = {}
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, '|', 1, true)
  local exp = sep and tonumber(string.sub(v, sep + 1)) or 0
  if exp > now then
    live[#live + 1] = all[i]
    live[#live + 1] = string.sub(v, 1, sep - 1)
  else
    dead[#dead + 1] = all[i]
  end
end
if #dead > 0 then redis.call('HDEL', KEYS[1], unpack(dead)) end
return live`;

type PresenceRedis = Redis & {
  dimClaim(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
  dimRelease(key: string, connectionId: string, nodeId: string): Promise<number>;
  dimClaimCapped(key: string, ...args: Array<string | number>): Promise<number[]>;
  dimRoutes(key: string): Promise<string[]>;
};

export class RedisPresence implements Presence {
  private readonly redis: PresenceRedis;
  private readonly prefix: string;
  private readonly log: Logger;
  private closing: Promise<void> | undefined;
  private lastErrorLog = 0;

  constructor(opts: RedisPresenceOptions) {
    this.log = opts.logger;
    this.prefix = opts.prefix ?? "dim:presence:";
    const redis = new Redis(opts.url, {
      connectionName: "dim-presence",
      connectTimeout: 5_000,
      // reconnect quickly and for ever; commands wait offline for ~20 reconnect attempts
      retryStrategy: (times) => Math.min(times * 100, 1_000),
      maxRetriesPerRequest: 20,
      enableOfflineQueue: true,
      ...opts.redisOptions,
    });
    redis.defineCommand("dimClaim", { lua: CLAIM_LUA }); // key count given per call
    redis.defineCommand("dimClaimCapped", { numberOfKeys: 1, lua: CLAIM_CAPPED_LUA });
    redis.defineCommand("dimRelease", { numberOfKeys: 1, lua: RELEASE_LUA });
    redis.defineCommand("dimRoutes", { numberOfKeys: 1, lua: ROUTES_LUA });
    redis.on("error", (err: Error) => {
      const now = Date.now();
      if (now - this.lastErrorLog > 5_000) {
        this.lastErrorLog = now;
        this.log.warn({ err }, "Redis connection error (reconnecting)");
      }
    });
    redis.on("ready", () => this.log.debug("Redis ready"));
    this.redis = redis as PresenceRedis;
  }

  private key(userId: string): string {
    return `${this.prefix}${userId}`;
  }

  async claim(routes: Route[], ttlMs: number): Promise<void> {
    this.assertOpen();
    assertTtl(ttlMs);
    const byUser = new Map<string, Map<string, string>>();
    for (const r of routes) {
      assertRoute(r);
      let conns = byUser.get(r.userId);
      if (!conns) byUser.set(r.userId, (conns = new Map()));
      conns.set(r.connectionId, r.nodeId); // last wins
    }
    if (byUser.size === 0) return;
    const pipeline = this.redis.pipeline() as ReturnType<Redis["pipeline"]> & {
      dimClaim(numKeys: number, ...keysAndArgs: Array<string | number>): unknown;
    };
    const users = [...byUser];
    for (let i = 0; i < users.length; i += CLAIM_USERS_PER_CALL) {
      const chunk = users.slice(i, i + CLAIM_USERS_PER_CALL);
      const args: Array<string | number> = [ttlMs];
      for (const [, conns] of chunk) {
        args.push(conns.size);
        for (const [connectionId, nodeId] of conns) args.push(connectionId, nodeId);
      }
      pipeline.dimClaim(chunk.length, ...chunk.map(([userId]) => this.key(userId)), ...args);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  async claimCapped(routes: Route[], maxPerUser: number, ttlMs: number): Promise<boolean[]> {
    this.assertOpen();
    if (!checkCappedClaim(routes, maxPerUser, ttlMs, assertRoute)) return [];
    // One script per user (its routes in order), all in one pipeline.
    const byUser = new Map<string, number[]>();
    routes.forEach((r, i) => {
      const list = byUser.get(r.userId);
      if (list) list.push(i);
      else byUser.set(r.userId, [i]);
    });
    const pipeline = this.redis.pipeline() as ReturnType<Redis["pipeline"]> & {
      dimClaimCapped(key: string, ...args: Array<string | number>): unknown;
    };
    const users = [...byUser];
    for (const [userId, indexes] of users) {
      pipeline.dimClaimCapped(this.key(userId), ttlMs, maxPerUser, ...indexes.flatMap((i) => [routes[i]!.connectionId, routes[i]!.nodeId]));
    }
    const results = (await pipeline.exec()) ?? [];
    const claimed = routes.map(() => false);
    results.forEach(([err, flags], u) => {
      if (err) throw err;
      users[u]![1].forEach((i, j) => (claimed[i] = (flags as number[])[j] === 1));
    });
    return claimed;
  }

  async release(routes: Route[]): Promise<void> {
    this.assertOpen();
    const list = routes.filter((r) => UUID_RE.test(r.userId) && NODE_ID_RE.test(r.nodeId)); // others were never stored
    if (list.length === 0) return;
    if (list.length === 1) {
      await this.redis.dimRelease(this.key(list[0]!.userId), list[0]!.connectionId, list[0]!.nodeId);
      return;
    }
    // One round trip for many: a pipeline of compare-and-deletes.
    const pipeline = this.redis.pipeline() as ReturnType<Redis["pipeline"]> & { dimRelease(key: string, connectionId: string, nodeId: string): unknown };
    for (const r of list) pipeline.dimRelease(this.key(r.userId), r.connectionId, r.nodeId);
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  /** Presence.ping: Redis answers PING (while it is down this waits for a reconnect, bounded by the probe's timeout). */
  async ping(): Promise<void> {
    this.assertOpen();
    await this.redis.ping();
  }

  async routesOf(userIds: string[]): Promise<Route[]> {
    this.assertOpen();
    const ids = [...new Set(userIds)].filter((id) => UUID_RE.test(id));
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline() as ReturnType<Redis["pipeline"]> & { dimRoutes(key: string): unknown };
    for (const id of ids) pipeline.dimRoutes(this.key(id));
    const results = (await pipeline.exec()) ?? [];
    const routes: Route[] = [];
    results.forEach(([err, flat], i) => {
      if (err) throw err;
      const list = flat as string[];
      for (let j = 0; j + 1 < list.length; j += 2) {
        routes.push({ userId: ids[i]!, connectionId: list[j]!, nodeId: list[j + 1]! });
      }
    });
    return routes;
  }

  close(): Promise<void> {
    this.closing ??= quitRedis(this.redis);
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError(ErrorCode.Internal, "presence is closed");
  }
}

function assertRoute(route: Route): void {
  if (!UUID_RE.test(route.userId)) throw new AppError(ErrorCode.BadRequest, "route userId must be a UUID");
  if (!NODE_ID_RE.test(route.nodeId)) throw new AppError(ErrorCode.BadRequest, "route nodeId must be 1..64 characters of A-Z a-z 0-9 . _ -");
  if (!route.connectionId || route.connectionId.length > MAX_CONNECTION_ID) {
    throw new AppError(ErrorCode.BadRequest, `route connectionId must be 1..${MAX_CONNECTION_ID} characters`);
  }
}
