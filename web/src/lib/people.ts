/**
 * Who is who, for names in groups (senders, system messages, previews): every person the app
 * has seen in a member list, a readers list or the contacts, kept in IndexedDB so an offline
 * start still shows names. A small external store for useSyncExternalStore.
 */
import type { PublicUser } from "@dim/shared";
import { readCache, writeCache } from "./idb-store";

let people: ReadonlyMap<string, PublicUser> = new Map();
const listeners = new Set<() => void>();
let loaded = false;

function publish(next: ReadonlyMap<string, PublicUser>): void {
  people = next;
  for (const l of listeners) l();
}

/** Adds or updates people; persists when something changed. */
export function rememberPeople(users: readonly PublicUser[]): void {
  let next: Map<string, PublicUser> | null = null;
  for (const u of users) {
    const known = people.get(u.id);
    if (known && known.displayName === u.displayName && known.username === u.username && known.avatarUrl === u.avatarUrl) continue;
    next ??= new Map(people);
    next.set(u.id, u);
  }
  if (!next) return;
  publish(next);
  void writeCache("people", [...next.values()]);
}

/** Loads what was kept last time (once); names seen since then win. */
export function loadPeople(): void {
  if (loaded) return;
  loaded = true;
  void readCache<PublicUser[]>("people").then((cached) => {
    if (!cached) return;
    const next = new Map(cached.map((u) => [u.id, u] as const));
    for (const [id, u] of people) next.set(id, u);
    publish(next);
  });
}

export function subscribePeople(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function peopleSnapshot(): ReadonlyMap<string, PublicUser> {
  return people;
}

/** Logout: forget them (IndexedDB is cleared separately). */
export function forgetPeople(): void {
  publish(new Map());
}
