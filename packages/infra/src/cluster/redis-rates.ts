/**
 * The cluster's RateStore on Redis (ioredis): one hash per bucket, `dim:rate:<name>:<key>`, with
 * fields t (tokens) and u (updated, ms in Redis's own clock: TIME). One Lua script per take or
 * check refills and takes atomically; a refused take writes nothing. Each write sets the key's
 * PEXPIRE to the time until the bucket is full again (at most the window), so Redis drops full
 * buckets by itself: storage is bounded by the keys active within one window.
 */
import { Redis, type RedisOptions } from "ioredis";
import { AppError, ErrorCode } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { assertRateName, rateArgs, storedRateKey } from "../rates/rate-args";
import type { RateLimit, RateStore, RateTake } from "../types";
import { quitRedis } from "./redis-quit";

export interface RedisRateStoreOptions {
  url: string;
  logger: Logger;
  /** Key prefix (default "dim:rate:"). */
  prefix?: string;
  redisOptions?: RedisOptions;
}

/**
 * KEYS[1] bucket; ARGV[1] capacity, ARGV[2] windowMs, ARGV[3] 1 = take, 0 = check.
 * Returns 0 (taken / available) or the milliseconds until a token is available.
 */
const BUCKET_LUA = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cap = tonumber(ARGV[1])
local perMs = cap / tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = cap
local updated = now
if v[1] then
  updated = math.max(now, tonumber(v[2]))
  tokens = math.min(cap, tonumber(v[1]) + math.max(0, now - tonumber(v[2])) * perMs)
end
if tokens < 1 then return math.max(1, math.ceil((1 - tokens) / perMs)) end
if ARGV[3] == '1' then
  tokens = tokens - 1
  redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(updated))
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((cap - tokens) / perMs)))
end
return 0`;

type RatesRedis = Redis & { dimRateBucket(key: string, capacity: number, windowMs: number, take: number): Promise<number> };

export class RedisRateStore implements RateStore {
  private readonly redis: RatesRedis;
  private readonly prefix: string;
  private closing: Promise<void> | undefined;
  private lastErrorLog = 0;

  constructor(opts: RedisRateStoreOptions) {
    this.prefix = opts.prefix ?? "dim:rate:";
    const redis = new Redis(opts.url, {
      connectionName: "dim-rates",
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
      maxRetriesPerRequest: 20,
      enableOfflineQueue: true,
      ...opts.redisOptions,
    });
    redis.defineCommand("dimRateBucket", { numberOfKeys: 1, lua: BUCKET_LUA });
    redis.on("error", (err: Error) => {
      const now = Date.now();
      if (now - this.lastErrorLog > 5_000) {
        this.lastErrorLog = now;
        opts.logger.warn({ err }, "Redis connection error (reconnecting)");
      }
    });
    this.redis = redis as RatesRedis;
  }

  /** The Redis key of a bucket (tests read it). */
  keyOf(name: string, key: string): string {
    return `${this.prefix}${name}:${storedRateKey(key)}`;
  }

  async take(name: string, key: string, limit: RateLimit): Promise<RateTake> {
    this.assertOpen();
    const stored = rateArgs(name, key, limit);
    const wait = await this.redis.dimRateBucket(`${this.prefix}${name}:${stored}`, limit.capacity, limit.windowMs, 1);
    return wait === 0 ? { ok: true } : { ok: false, retryAfterMs: wait };
  }

  async check(name: string, key: string, limit: RateLimit): Promise<number> {
    this.assertOpen();
    const stored = rateArgs(name, key, limit);
    return this.redis.dimRateBucket(`${this.prefix}${name}:${stored}`, limit.capacity, limit.windowMs, 0);
  }

  async reset(name: string, key: string): Promise<void> {
    this.assertOpen();
    assertRateName(name);
    await this.redis.del(this.keyOf(name, key));
  }

  /** Nothing to do: Redis expires a bucket when it is full again (PEXPIRE). */
  async prune(): Promise<number> {
    this.assertOpen();
    return 0;
  }

  close(): Promise<void> {
    this.closing ??= quitRedis(this.redis);
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError(ErrorCode.Internal, "rate store is closed");
  }
}
