import type { Redis } from "ioredis";

/** QUIT lets queued commands finish; a Redis that is down (no answer in 2 s) gets a plain disconnect. */
export async function quitRedis(redis: Redis): Promise<void> {
  const quit = redis.quit().then(
    () => true,
    () => false,
  );
  const timeout = new Promise<false>((r) => setTimeout(() => r(false), 2_000).unref());
  if (!(await Promise.race([quit, timeout]))) redis.disconnect();
}
