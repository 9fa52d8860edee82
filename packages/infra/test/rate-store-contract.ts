/**
 * The RateStore contract, run against each implementation (memory and PostgreSQL in
 * rate-store.test.ts, Redis in cluster/redis-rates.test.ts). "Two clients" are two store handles
 * on the same backend, as two gateway processes would hold. Waits use small windows and never
 * assert how fast anything ran.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError, ErrorCode } from "@dim/shared";
import { sleep } from "@dim/shared/async";
import type { RateStore } from "../src/types";

export interface RateBackend {
  /** One more client (handle) on the shared backend; closed by the suite's teardown. */
  client(): RateStore;
  /** Buckets stored for `name` right now (rows, keys, map entries). */
  stored(name: string): Promise<number>;
}

const HOUR = 60 * 60 * 1000;
const uniqueName = () => `t-${randomUUID().slice(0, 8)}`;

export function rateStoreContract(label: string, backend: () => RateBackend): void {
  describe(`RateStore contract: ${label}`, () => {
    it("allows capacity takes at once, then refuses with retryAfterMs, taking nothing", async () => {
      const s = backend().client();
      const name = uniqueName();
      const limit = { capacity: 3, windowMs: HOUR };
      for (let i = 0; i < 3; i++) expect(await s.take(name, "k", limit)).toEqual({ ok: true });
      const refused = await s.take(name, "k", limit);
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      // One token every HOUR / 3: the next is ~20 minutes away.
      expect(refused.retryAfterMs).toBeGreaterThan(HOUR / 3 - 60_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(HOUR / 3);
      expect(await s.check(name, "k", limit)).toBeGreaterThan(0);
      // Other keys and other names have their own buckets.
      expect(await s.check(name, "other", limit)).toBe(0);
      expect(await s.take(uniqueName(), "k", limit)).toEqual({ ok: true });
    });

    it("check says 0 while a token is available and takes nothing", async () => {
      const s = backend().client();
      const name = uniqueName();
      const limit = { capacity: 1, windowMs: HOUR };
      for (let i = 0; i < 5; i++) expect(await s.check(name, "k", limit)).toBe(0);
      expect(await s.take(name, "k", limit)).toEqual({ ok: true });
      const wait = await s.check(name, "k", limit);
      expect(wait).toBeGreaterThan(HOUR - 60_000);
      expect(wait).toBeLessThanOrEqual(HOUR + 1); // rounding up a float
    });

    it("refills evenly over the window: after retryAfterMs a token is there again", async () => {
      const s = backend().client();
      const name = uniqueName();
      const limit = { capacity: 2, windowMs: 400 }; // a token every 200 ms
      expect(await s.take(name, "k", limit)).toEqual({ ok: true });
      expect(await s.take(name, "k", limit)).toEqual({ ok: true });
      const refused = await s.take(name, "k", limit);
      expect(refused.ok).toBe(false);
      const wait = refused.ok ? 0 : refused.retryAfterMs;
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(200);
      await sleep(wait + 30);
      expect(await s.take(name, "k", limit)).toEqual({ ok: true }); // one token came back…
      expect((await s.take(name, "k", limit)).ok).toBe(false); // …only one
    });

    it("two clients taking at once never exceed capacity together", async () => {
      const b = backend();
      const [a, c] = [b.client(), b.client()];
      const name = uniqueName();
      const limit = { capacity: 10, windowMs: HOUR };
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : c).take(name, "shared", limit)));
      expect(results.filter((r) => r.ok)).toHaveLength(10);
      expect(await a.check(name, "shared", limit)).toBeGreaterThan(0);
      expect(await c.check(name, "shared", limit)).toBeGreaterThan(0);
    });

    it("reset from another client refills the bucket", async () => {
      const b = backend();
      const [a, c] = [b.client(), b.client()];
      const name = uniqueName();
      const limit = { capacity: 1, windowMs: HOUR };
      expect(await a.take(name, "k", limit)).toEqual({ ok: true });
      expect((await c.take(name, "k", limit)).ok).toBe(false);
      await c.reset(name, "k");
      expect(await a.check(name, "k", limit)).toBe(0);
      expect(await a.take(name, "k", limit)).toEqual({ ok: true });
      await c.reset(name, "never-taken"); // idempotent, nothing to forget
    });

    it("forgets buckets that are full again (prune), keeps the others", async () => {
      const b = backend();
      const s = b.client();
      const name = uniqueName();
      await s.take(name, "short", { capacity: 1, windowMs: 100 });
      await s.take(name, "long", { capacity: 1, windowMs: HOUR });
      expect(await b.stored(name)).toBe(2);
      await sleep(200);
      await s.prune();
      expect(await b.stored(name)).toBe(1);
      expect(await s.check(name, "short", { capacity: 1, windowMs: 100 })).toBe(0);
      expect(await s.check(name, "long", { capacity: 1, windowMs: HOUR })).toBeGreaterThan(0);
    });

    it("keys of any length: a long key is its own bucket, stored bounded", async () => {
      const s = backend().client();
      const name = uniqueName();
      const limit = { capacity: 1, windowMs: HOUR };
      const long = "x".repeat(5000);
      expect(await s.take(name, long, limit)).toEqual({ ok: true });
      expect((await s.take(name, long, limit)).ok).toBe(false);
      expect(await s.take(name, `${long}y`, limit)).toEqual({ ok: true });
    });

    it("refuses a bad name or limit with BAD_REQUEST", async () => {
      const s = backend().client();
      const bad = async (p: Promise<unknown>) => {
        const err = await p.then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe(ErrorCode.BadRequest);
      };
      await bad(s.take("Bad Name", "k", { capacity: 1, windowMs: 1000 }));
      await bad(s.take("ok", "k", { capacity: 0, windowMs: 1000 }));
      await bad(s.take("ok", "k", { capacity: 1.5, windowMs: 1000 }));
      await bad(s.check("ok", "k", { capacity: 1, windowMs: 0 }));
      await bad(s.reset("", "k"));
    });
  });
}
