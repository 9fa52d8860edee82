/**
 * Presence leases of newly authenticated sockets, claimed in batches: while one claim call is in
 * flight the routes of further sockets wait, and go out together in the next call (one statement
 * or one pipeline for many) as soon as it returns. At a low rate a claim goes out at once (one
 * round trip); under a burst of connects the batch grows with the load instead of the number of
 * calls. Each waiter learns the outcome of the call that carried its route.
 */
import type { Presence, Route } from "@dim/infra";

interface Waiter {
  route: Route;
  resolve(): void;
  reject(err: unknown): void;
}

export class PresenceClaims {
  private waiting: Waiter[] = [];
  private inFlight = false;
  private scheduled = false;

  constructor(
    private readonly presence: Presence,
    private readonly ttlMs: number,
    /** Most routes per call. */
    private readonly maxBatch = 1000,
  ) {}

  /** Resolves once the lease of `route` is stored (or rejects with the error of its batch). */
  claim(route: Route): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ route, resolve, reject });
      this.schedule();
    });
  }

  /** Routes of the sockets of this turn of the event loop join the same call. */
  private schedule(): void {
    if (this.inFlight || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, this.maxBatch);
    this.inFlight = true;
    try {
      await this.presence.claim(
        batch.map((w) => w.route),
        this.ttlMs,
      );
      for (const w of batch) w.resolve();
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.inFlight = false;
    }
    if (this.waiting.length > 0) void this.flush(); // those that came meanwhile
  }
}
