/**
 * Web Push for the members who have no socket anywhere. The node that stores a message knows its
 * recipients; presence (Redis / the embedded leases, shared by every node) says who is connected
 * on any node. So the storing node decides, after the commit and off the message path:
 *   subscriptions of the other active members → `notifies` (own message, kind, do not disturb,
 *   mute, mentions) → presence (a member with a socket on any node gets no push) → one encrypted
 *   request per subscription.
 * `enqueue` only appends to a bounded queue (full: the push is dropped and counted; the message
 * is stored and shows at the next connect). Jobs and requests run with bounded concurrency, each
 * request under a deadline; 429, 5xx and network errors are retried a bounded number of times
 * with backoff (Retry-After honoured up to a cap); 404 / 410 delete the subscription.
 */
import webpush from "web-push";
import { notifies, notifyingKind, type Message } from "@dim/shared";
import type { Logger, PushConfig } from "@dim/shared/node";
import type { PushStore, PushTarget } from "@dim/db";
import type { Presence } from "@dim/infra";
import type { NodeMetrics } from "../node-metrics";
import { pushPayloadOf } from "./push-payload";
import { sendPushRequest, type PushRequest } from "./send-push";

export interface PushSenderConfig extends PushConfig {
  /** Messages whose pushes are worked on at once (DIM_PUSH_CONCURRENCY; requests too). */
  concurrency: number;
  /** Deadline of one request to a push service (DIM_PUSH_TIMEOUT_MS). */
  timeoutMs: number;
  /** Further attempts after a retryable failure (DIM_PUSH_RETRIES). */
  retries: number;
  /** Messages waiting for their pushes beyond which new ones are dropped (DIM_PUSH_QUEUE_MAX). */
  queueMax: number;
  /** How long a push service keeps an undelivered push (the TTL header, seconds). */
  ttlSeconds: number;
  /** First retry delay; doubled per attempt, at most RETRY_MAX_MS. */
  retryBaseMs: number;
}

export interface PushNotifierDeps {
  store: PushStore;
  presence: Pick<Presence, "routesOf">;
  config: PushSenderConfig;
  logger: Logger;
  metrics: NodeMetrics;
}

const RETRY_MAX_MS = 60_000;

type Outcome = "sent" | "gone" | "failed" | "retried";

/** A counting semaphore: at most `n` holders; the rest wait in order. */
class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly n: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.used >= this.n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    }
  }
}

export class PushNotifier {
  private readonly queue: Array<{ message: Message; memberIds: string[] }> = [];
  private running = 0;
  private readonly requests: Slots;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlightRetries = new Set<Promise<void>>();
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly deps: PushNotifierDeps) {
    this.requests = new Slots(deps.config.concurrency);
  }

  /** After a commit: queue the pushes of a new message. Returns at once; never throws. */
  enqueue(message: Message, memberIds: string[]): void {
    if (this.stopped) return;
    const recipients = memberIds.filter((id) => id !== message.senderId);
    // The rule's cheap part first: system messages and events never push; nobody else, nothing to do.
    if (recipients.length === 0 || !notifyingKind(message.kind)) return;
    if (this.queue.length >= this.deps.config.queueMax) {
      this.deps.metrics.pushes.dropped.inc();
      this.deps.logger.warn({ conversationId: message.conversationId, seq: message.seq }, "push queue full; push dropped");
      return;
    }
    this.queue.push({ message, memberIds: recipients });
    this.pump();
  }

  /** Resolves when nothing is queued, running or waiting for a retry (tests, stop). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what is queued and the retries waiting; requests under way finish. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.checkIdle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.retryTimers.size === 0 && this.inFlightRetries.size === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private pump(): void {
    while (this.running < this.deps.config.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.process(job.message, job.memberIds)
        .catch((err: unknown) => {
          this.deps.logger.warn({ err, conversationId: job.message.conversationId, seq: job.message.seq }, "push failed");
        })
        .finally(() => {
          this.running--;
          this.pump();
          this.checkIdle();
        });
    }
  }

  private async process(message: Message, recipients: string[]): Promise<void> {
    const now = Date.now();
    const targets = (await this.deps.store.targetsOf(message.conversationId, recipients)).filter((t) =>
      notifies(message, { userId: t.userId, dnd: t.dnd, mutedUntil: t.mutedUntil }, now),
    );
    if (targets.length === 0) return;
    // Anyone with a socket on any node gets the message there: no push.
    const online = new Set((await this.deps.presence.routesOf(targets.map((t) => t.userId))).map((r) => r.userId));
    const offline = targets.filter((t) => !online.has(t.userId));
    if (offline.length === 0) return;
    const context = await this.deps.store.contextOf(message.conversationId, message.senderId);
    if (context === null) return;
    await Promise.all(offline.map((t) => this.pushTo(t, JSON.stringify(pushPayloadOf(message, context, t.preview)))));
  }

  private async pushTo(target: PushTarget, payload: string): Promise<void> {
    const { vapid, ttlSeconds } = this.deps.config;
    await Promise.all(
      target.subscriptions.map(async (sub) => {
        const details = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
          vapidDetails: vapid,
          TTL: ttlSeconds,
          contentEncoding: "aes128gcm",
        });
        const req: PushRequest = { endpoint: details.endpoint, headers: details.headers as Record<string, string | number>, body: details.body };
        await this.attempt(sub.id, req, 0);
      }),
    );
  }

  private async attempt(subscriptionId: string, req: PushRequest, attempt: number): Promise<void> {
    const outcome = await this.requests.run(() => this.sendOnce(subscriptionId, req));
    if (outcome.kind !== "retry") {
      this.deps.metrics.pushes[outcome.kind].inc();
      return;
    }
    if (attempt >= this.deps.config.retries || this.stopped) {
      this.deps.metrics.pushes.failed.inc();
      this.deps.logger.warn({ subscriptionId, attempts: attempt + 1, reason: outcome.reason }, "push gave up");
      return;
    }
    this.deps.metrics.pushes.retried.inc();
    const delay = Math.min(RETRY_MAX_MS, outcome.retryAfterMs ?? this.deps.config.retryBaseMs * 2 ** attempt);
    // Waits outside the job (the queue moves on); idle() waits for it.
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      const retry = this.attempt(subscriptionId, req, attempt + 1).finally(() => {
        this.inFlightRetries.delete(retry);
        this.checkIdle();
      });
      this.inFlightRetries.add(retry);
    }, delay);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private async sendOnce(subscriptionId: string, req: PushRequest): Promise<{ kind: Exclude<Outcome, "retried"> } | { kind: "retry"; reason: string; retryAfterMs?: number | undefined }> {
    const log = this.deps.logger;
    try {
      const res = await sendPushRequest(req, { timeoutMs: this.deps.config.timeoutMs, allowLoopback: this.deps.config.allowLoopback });
      if (res.status >= 200 && res.status < 300) return { kind: "sent" };
      if (res.status === 404 || res.status === 410) {
        await this.deps.store.removeSubscription(subscriptionId);
        log.info({ subscriptionId, status: res.status }, "push subscription gone; removed");
        return { kind: "gone" };
      }
      if (res.status === 429 || res.status >= 500) return { kind: "retry", reason: `HTTP ${res.status}`, retryAfterMs: res.retryAfterMs };
      log.warn({ subscriptionId, status: res.status }, "push refused by the push service");
      return { kind: "failed" };
    } catch (err) {
      if ((err as { code?: string }).code === "EPUSHADDRESS" || (err as { name?: string }).name === "AppError") {
        log.warn({ subscriptionId, err }, "push endpoint refused");
        return { kind: "failed" };
      }
      return { kind: "retry", reason: (err as Error).message };
    }
  }
}
