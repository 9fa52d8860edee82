/**
 * Embedded bus over PostgreSQL LISTEN/NOTIFY: each node LISTENs on its own channel on one
 * dedicated connection; publishers NOTIFY through the pool. Records larger than a NOTIFY
 * payload are fragmented (see notify-codec.ts).
 *
 * Publishes are group-committed by the shared NaturalBatcher: the publishes of one synchronous
 * run go together, the ones made while a NOTIFY batch is being written form the next batch, one
 * statement (one transaction) each, and only one batch is in flight, so records reach
 * PostgreSQL in publish order (per target node and key in particular), and the consumer awaits
 * its handler per record in that order per key. A NOTIFY transaction is committed
 * asynchronously (synchronous_commit off for it alone): it stores nothing worth an fsync — a
 * notification lost to a crash is one the bus may lose anyway.
 *
 * Delivery is at most once. NOTIFY has no storage: a record sent to a node that is not
 * listening (absent, or its LISTEN connection is down and reconnecting) is lost, and publish
 * still resolves. That is acceptable because the bus is only the doorbell: PostgreSQL already
 * holds every message and receipt cursor, and clients fetch what they miss by sync on
 * (re)connect and on any seq gap.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { AppError, ErrorCode } from "@dim/shared";
import { createLogger, type Logger } from "@dim/shared/node";
import { KeyedSerialQueue, NaturalBatcher, type BatchOutcome } from "@dim/shared/async";
import { assertBusRecord } from "../bus-record";
import type { Bus, BusHandler } from "../types";
import { RecordDecoder, encodeRecord } from "./notify-codec";
import { resolvePool, type PgOptions } from "./pg-pool";

export interface PgBusOptions extends PgOptions {
  logger?: Logger;
  /** Backoff bounds for re-opening a dropped LISTEN connection (default 100 ms … 5 s). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

interface Inbox {
  nodeId: string;
  handler: BusHandler;
  queue: KeyedSerialQueue;
  closed: boolean;
}

const FRAGMENT_MAX_AGE_MS = 30_000;
/** Most notifications in one NOTIFY statement. */
const MAX_NOTIFY_BATCH = 512;
/** One transaction, committed without waiting for its WAL flush; notifications in array order. */
const NOTIFY_SQL = `
  SELECT set_config('synchronous_commit', 'off', true), pg_notify(t.c, t.p)
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(c, p, i) ORDER BY t.i`;

/** One publish: a record's NOTIFY payloads (several when fragmented) for one channel. */
interface Notification {
  channel: string;
  payloads: string[];
}

/** Channels of the node ids seen (a publish per message must not hash the id each time). */
const channels = new Map<string, string>();
const MAX_REMEMBERED_CHANNELS = 10_000;

/** A node's channel: readable, collision-free (hash of the exact id), lower case, ≤ 63 bytes. */
export function channelFor(nodeId: string): string {
  const known = channels.get(nodeId);
  if (known !== undefined) return known;
  const readable = nodeId.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40);
  const hash = createHash("sha256").update(nodeId).digest("hex").slice(0, 12);
  const channel = `dim_bus_${readable}_${hash}`;
  if (channels.size >= MAX_REMEMBERED_CHANNELS) channels.clear();
  channels.set(nodeId, channel);
  return channel;
}

export class PgBus implements Bus {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly logger: Logger;
  private readonly databaseUrl: string;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  /** By channel. */
  private readonly inboxes = new Map<string, Inbox>();
  /** NOTIFY batches, one in flight, in publish order. */
  private readonly notifier = new NaturalBatcher<Notification, void>((batch) => this.notify(batch), {
    maxItems: MAX_NOTIFY_BATCH,
    sizeOf: (n) => n.payloads.length,
    maxSize: MAX_NOTIFY_BATCH,
  });
  /** The latest publish, settled: once it is, every earlier one is too (batches run in order). */
  private lastPublish: Promise<unknown> = Promise.resolve();
  private readonly decoder = new RecordDecoder();
  private listener: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private readonly sweepTimer: NodeJS.Timeout;
  private closing: Promise<void> | undefined;

  constructor(opts: PgBusOptions) {
    this.logger = opts.logger ?? createLogger("infra-pg-bus");
    ({ pool: this.pool, owned: this.ownsPool } = resolvePool(opts, "dim-bus", this.logger));
    this.databaseUrl = opts.databaseUrl;
    this.reconnectMinMs = opts.reconnectMinMs ?? 100;
    this.reconnectMaxMs = opts.reconnectMaxMs ?? 5_000;
    this.sweepTimer = setInterval(() => {
      const dropped = this.decoder.sweep(FRAGMENT_MAX_AGE_MS);
      if (dropped > 0) this.logger.warn({ dropped }, "incomplete bus records dropped");
    }, FRAGMENT_MAX_AGE_MS);
    this.sweepTimer.unref();
  }

  async subscribe(nodeId: string, handler: BusHandler): Promise<void> {
    this.assertOpen();
    const channel = channelFor(nodeId);
    const existing = this.inboxes.get(channel);
    if (existing) {
      existing.closed = true;
      this.logger.warn({ nodeId }, "bus inbox re-subscribed; previous handler replaced");
    }
    this.inboxes.set(channel, { nodeId, handler, queue: new KeyedSerialQueue(), closed: false });
    try {
      const client = await this.ensureListener();
      await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      this.inboxes.delete(channel);
      throw err;
    }
    this.logger.info({ nodeId, channel }, "bus inbox listening");
  }

  async publish(targetNodeId: string, key: string, payload: string): Promise<void> {
    this.assertOpen();
    assertBusRecord(key, payload);
    const published = this.notifier.submit({ channel: channelFor(targetNodeId), payloads: encodeRecord(key, payload) });
    this.lastPublish = published.catch(() => undefined);
    return published;
  }

  /** One NOTIFY statement for a batch (whole records only: all fragments of one are delivered together). */
  private async notify(batch: Notification[]): Promise<Array<BatchOutcome<void>>> {
    const channels: string[] = [];
    const payloads: string[] = [];
    for (const item of batch) {
      for (const payload of item.payloads) {
        channels.push(item.channel);
        payloads.push(payload);
      }
    }
    await this.pool.query({ name: "dim_bus_notify", text: NOTIFY_SQL, values: [channels, payloads] });
    return batch.map(() => ({ value: undefined }));
  }

  /** Stops consuming the node's channel. NOTIFY keeps nothing, so there is nothing else to drop. */
  async removeInbox(nodeId: string): Promise<void> {
    const channel = channelFor(nodeId);
    const inbox = this.inboxes.get(channel);
    if (!inbox) return;
    inbox.closed = true;
    this.inboxes.delete(channel);
    await this.listener?.query(`UNLISTEN "${channel}"`).catch((err: unknown) => {
      this.logger.warn({ err, nodeId }, "UNLISTEN failed");
    });
  }

  /** Bus.ping: the LISTEN connection is up (when an inbox needs it) and answers. */
  async ping(): Promise<void> {
    this.assertOpen();
    if (this.inboxes.size > 0 && !this.listener) throw new Error("the LISTEN connection is down (reconnecting)");
    await (this.listener ?? this.pool).query("SELECT 1");
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.sweepTimer);
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      for (const inbox of this.inboxes.values()) inbox.closed = true;
      this.inboxes.clear();
      await this.connecting?.catch(() => undefined);
      const listener = this.listener;
      this.listener = undefined;
      await listener?.end().catch(() => undefined);
      await this.lastPublish;
      if (this.ownsPool) await this.pool.end();
    })();
    return this.closing;
  }

  private ensureListener(): Promise<pg.Client> {
    if (this.listener) return Promise.resolve(this.listener);
    this.connecting ??= this.connectListener().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Opens the LISTEN connection and listens on every current inbox's channel. */
  private async connectListener(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "dim-bus-listen" });
    client.on("error", (err) => this.onDrop(client, err));
    client.on("end", () => this.onDrop(client));
    client.on("notification", (msg) => this.onNotification(msg.channel, msg.payload ?? ""));
    try {
      await client.connect();
      for (const channel of this.inboxes.keys()) await client.query(`LISTEN "${channel}"`);
      if (this.closing) throw new AppError(ErrorCode.Internal, "bus is closed");
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.listener = client;
    return client;
  }

  private onDrop(client: pg.Client, err?: Error): void {
    if (client !== this.listener || this.closing) return;
    this.listener = undefined;
    this.decoder.reset();
    this.logger.warn({ err }, "bus LISTEN connection lost; reconnecting (notifications meanwhile are lost; clients sync)");
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    const delay = Math.min(this.reconnectMaxMs, this.reconnectMinMs * 2 ** this.reconnectAttempt);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.ensureListener().then(
        () => {
          this.reconnectAttempt = 0;
          this.logger.info({ channels: this.inboxes.size }, "bus LISTEN connection restored");
        },
        (err: unknown) => {
          if (this.closing) return;
          this.reconnectAttempt++;
          this.logger.warn({ err, attempt: this.reconnectAttempt }, "bus LISTEN reconnect failed");
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }

  private onNotification(channel: string, notification: string): void {
    const inbox = this.inboxes.get(channel);
    if (!inbox) return;
    let record: { key: string; payload: string } | undefined;
    try {
      record = this.decoder.accept(notification);
    } catch (err) {
      this.logger.error({ err, nodeId: inbox.nodeId }, "malformed bus payload dropped");
      return;
    }
    if (!record) return;
    const { key, payload } = record;
    void inbox.queue.push(key, async () => {
      if (inbox.closed) return;
      try {
        await inbox.handler(payload);
      } catch (err) {
        // PostgreSQL holds the message; the client syncs. The next record still goes through.
        this.logger.error({ err, nodeId: inbox.nodeId, key }, "bus handler failed");
      }
    });
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError(ErrorCode.Internal, "bus is closed");
  }
}
