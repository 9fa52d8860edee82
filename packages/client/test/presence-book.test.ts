/** Contacts' presence in the client core: the query after each welcome, full answers, pushes. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import type { ContactPresence } from "@dim/shared";
import { connected, harness, lastSocket, settle, welcome } from "./fake-transport";

const ANN = randomUUID();
const BEN = randomUUID();

describe("presence", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks after each welcome, takes the full answer, applies pushes and reports only changes", async () => {
    const h = harness();
    const socket = await connected(h, welcome());
    expect(socket.framesOf("presence.query")).toHaveLength(1);
    const events: ContactPresence[][] = [];
    h.client.on("presence", (e) => events.push(e.contacts));
    socket.push({ type: "presence", full: true, last: false, contacts: [{ userId: ANN, online: true, lastSeenAt: null }] });
    socket.push({ type: "presence", full: true, last: true, contacts: [{ userId: BEN, online: false, lastSeenAt: "2026-03-01T09:40:12.345Z" }] });
    await settle();
    expect(h.client.presenceOf(ANN)).toEqual({ userId: ANN, online: true, lastSeenAt: null });
    expect(h.client.presence()).toHaveLength(2);
    socket.push({ type: "presence", full: false, last: true, contacts: [{ userId: ANN, online: true, lastSeenAt: null }] });
    socket.push({ type: "presence", full: false, last: true, contacts: [{ userId: ANN, online: false, lastSeenAt: "2026-03-01T10:00:00.000Z" }] });
    await settle();
    // ann, ben, ann offline: the repeated "ann online" changed nothing and is not reported
    expect(events.map((e) => e.map((c) => `${c.userId === ANN ? "ann" : "ben"}:${c.online}`))).toEqual([["ann:true"], ["ben:false"], ["ann:false"]]);
    expect(h.client.presenceOf(ANN)?.online).toBe(false);
  });

  it("a later full answer drops contacts it does not name", async () => {
    const h = harness();
    const socket = await connected(h, welcome());
    socket.push({ type: "presence", full: true, last: true, contacts: [{ userId: ANN, online: true, lastSeenAt: null }, { userId: BEN, online: true, lastSeenAt: null }] });
    await settle();
    socket.serverClose(1006); // reconnect: a new welcome, a new query
    await vi.advanceTimersByTimeAsync(1000);
    const next = lastSocket();
    next.open();
    next.push(welcome());
    await settle();
    expect(next.framesOf("presence.query")).toHaveLength(1);
    next.push({ type: "presence", full: true, last: true, contacts: [{ userId: ANN, online: false, lastSeenAt: null }] });
    await settle();
    expect(h.client.presence()).toEqual([{ userId: ANN, online: false, lastSeenAt: null }]);
  });
});
