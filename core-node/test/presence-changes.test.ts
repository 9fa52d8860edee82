/**
 * PresenceChanges on its own, under fake timers, over recording seams (the contacts store,
 * presence and the bus record what they are asked): one window's changes are handled with one
 * call each, whatever their number; records stay within the node protocol's bounds.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseNodeEnvelope, type NodeEnvelope } from "@dim/shared";
import { createLogger } from "@dim/shared/node";
import type { WatcherRow } from "@dim/db";
import type { Route } from "@dim/infra";
import { LocalConnections } from "../src/local-connections";
import { PresenceChanges } from "../src/presence-changes";

const WINDOW_MS = 500;

function setup(opts: { watcherOf: (subject: string) => string[]; watcherNode: string; online?: Set<string> }) {
  const calls = { routesOf: 0, markLastSeen: [] as string[][], watchersOf: 0 };
  const published: Array<{ node: string; key: string; envelope: NodeEnvelope }> = [];
  const changes = new PresenceChanges({
    nodeId: () => "node-here",
    store: {
      async watchersOf(subjects: string[]): Promise<WatcherRow[]> {
        calls.watchersOf++;
        return subjects.flatMap((subjectId) =>
          opts.watcherOf(subjectId).map((watcherId) => ({ subjectId, watcherId, subjectLastSeenAt: new Date(0), subjectHidesLastSeen: false, watcherHidesLastSeen: false })),
        );
      },
      async markLastSeen(userIds: string[]) {
        calls.markLastSeen.push(userIds);
      },
    },
    presence: {
      async routesOf(userIds: string[]): Promise<Route[]> {
        calls.routesOf++;
        return userIds.filter((u) => opts.online?.has(u)).map((userId) => ({ userId, nodeId: "node-x", connectionId: "c" }));
      },
    },
    routes: {
      async routesOf(userIds: string[]): Promise<Route[]> {
        return userIds.map((userId) => ({ userId, nodeId: opts.watcherNode, connectionId: "w" }));
      },
    },
    bus: {
      async publish(node: string, key: string, payload: string) {
        const parsed = parseNodeEnvelope(payload);
        if (!parsed.ok) throw parsed.error;
        published.push({ node, key, envelope: parsed.envelope });
      },
    },
    connections: new LocalConnections(),
    coalesceMs: WINDOW_MS,
    logger: createLogger("test", { level: "silent" }),
  });
  return { changes, calls, published };
}

describe("PresenceChanges", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("handles one window's changes together: one lookup, one last-seen write, one contacts read", async () => {
    const watcher = randomUUID();
    const users = Array.from({ length: 300 }, () => randomUUID());
    const online = new Set(users.slice(0, 100));
    const { changes, calls, published } = setup({ watcherOf: () => [watcher], watcherNode: "node-w", online });
    for (const u of users) changes.changed(u);
    await vi.advanceTimersByTimeAsync(WINDOW_MS - 1);
    expect(calls.routesOf).toBe(0); // nothing before the window ends
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual({ routesOf: 1, watchersOf: 1, markLastSeen: [users.slice(100)] });
    expect(published).toHaveLength(1);
    const [record] = published;
    expect(record!.node).toBe("node-w");
    expect(record!.key).toBe("presence:node-here");
    const entries = record!.envelope.type === "presence" ? record!.envelope.updates.flatMap((u) => u.contacts) : [];
    expect(entries.filter((e) => e.online).map((e) => e.userId)).toEqual(users.slice(0, 100));
    expect(entries.filter((e) => !e.online).map((e) => e.lastSeenAt)).toEqual(users.slice(100).map(() => new Date(0).toISOString()));
    // the next window starts afresh
    changes.changed(users[0]!);
    await vi.advanceTimersByTimeAsync(WINDOW_MS);
    expect(calls.routesOf).toBe(2);
  });

  it("splits a large window into records the receivers accept (entries per update and per record bounded)", async () => {
    const watchers = Array.from({ length: 3 }, () => randomUUID());
    const users = Array.from({ length: 2500 }, () => randomUUID());
    const { changes, published } = setup({ watcherOf: () => watchers, watcherNode: "node-w" });
    for (const u of users) changes.changed(u);
    await changes.flush(); // what a stopping node does
    expect(published.length).toBeGreaterThan(1);
    const received = new Map<string, number>();
    for (const { envelope } of published) {
      if (envelope.type !== "presence") throw new Error("not a presence record");
      expect(envelope.updates.reduce((n, u) => n + u.contacts.length, 0)).toBeLessThanOrEqual(2000);
      for (const u of envelope.updates) received.set(u.to, (received.get(u.to) ?? 0) + u.contacts.length);
    }
    expect([...received.values()]).toEqual([2500, 2500, 2500]);
  });

  it("tells nobody when the users have no contacts", async () => {
    const { changes, calls, published } = setup({ watcherOf: () => [], watcherNode: "node-w" });
    changes.changed(randomUUID());
    await vi.advanceTimersByTimeAsync(WINDOW_MS);
    expect(calls.watchersOf).toBe(1);
    expect(published).toEqual([]);
  });
});
