/**
 * IndexedDB persistence for the PWA (browser only): the client library's `ClientStore`
 * (conversations' cursors, messages, the outbox in queue order) plus a small key/value cache of
 * what the gateway last said (who I am, the conversation list, contacts) so the app opens
 * offline with everything it showed before.
 */
import type { ClientSnapshot, ClientStore, ConversationMeta, OutboxItem } from "@dim/client";
import type { Message } from "@dim/shared";

const DB_NAME = "dim";
// 2: `thumbs`, the thumbnails already seen (idb-thumbnail-cache.ts).
const DB_VERSION = 2;
export const S = { kv: "kv", conversations: "conversations", messages: "messages", outbox: "outbox", thumbs: "thumbs" } as const;
type StoreName = (typeof S)[keyof typeof S];

interface OutboxRow {
  clientMsgId: string;
  /** Queue position: kept across updates, so a retry never reorders the queue. */
  order: number;
  item: OutboxItem;
}

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
  });
}

let opening: Promise<IDBDatabase> | null = null;

function openDb(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(S.kv)) db.createObjectStore(S.kv);
      if (!db.objectStoreNames.contains(S.conversations)) db.createObjectStore(S.conversations, { keyPath: "conversationId" });
      if (!db.objectStoreNames.contains(S.messages)) db.createObjectStore(S.messages, { keyPath: "id" });
      if (!db.objectStoreNames.contains(S.outbox)) db.createObjectStore(S.outbox, { keyPath: "clientMsgId" });
      if (!db.objectStoreNames.contains(S.thumbs)) db.createObjectStore(S.thumbs, { keyPath: "id" }).createIndex("at", "at");
    };
    req.onsuccess = () => {
      // A newer version of the app in another tab wants to upgrade: let it (this tab reopens on next use).
      req.result.onversionchange = () => {
        req.result.close();
        opening = null;
      };
      resolve(req.result);
    };
    req.onerror = () => reject(req.error ?? new Error("cannot open IndexedDB"));
    req.onblocked = () => reject(new Error("IndexedDB upgrade blocked by another tab"));
  }).catch((error: unknown) => {
    opening = null;
    throw error;
  });
  return opening;
}

export async function tx<T>(stores: StoreName[], mode: IDBTransactionMode, body: (t: IDBTransaction) => Promise<T> | T): Promise<T> {
  const db = await openDb();
  const t = db.transaction(stores, mode);
  const finished = done(t);
  const result = await body(t);
  await finished;
  return result;
}

/** Whether this browser has IndexedDB (private modes of some browsers do not). */
export function hasIndexedDb(): boolean {
  return typeof indexedDB !== "undefined";
}

export class IdbClientStore implements ClientStore {
  async load(): Promise<ClientSnapshot> {
    return tx([S.kv, S.conversations, S.messages, S.outbox], "readonly", async (t) => {
      const [userId, conversations, messages, outbox] = await Promise.all([
        request(t.objectStore(S.kv).get("userId")) as Promise<string | undefined>,
        request(t.objectStore(S.conversations).getAll()) as Promise<ConversationMeta[]>,
        request(t.objectStore(S.messages).getAll()) as Promise<Message[]>,
        request(t.objectStore(S.outbox).getAll()) as Promise<OutboxRow[]>,
      ]);
      outbox.sort((a, b) => a.order - b.order);
      return { userId: userId ?? null, conversations, messages, outbox: outbox.map((r) => r.item) };
    });
  }

  async saveUserId(userId: string): Promise<void> {
    await tx([S.kv], "readwrite", (t) => void t.objectStore(S.kv).put(userId, "userId"));
  }

  async saveConversation(meta: ConversationMeta): Promise<void> {
    await tx([S.conversations], "readwrite", (t) => void t.objectStore(S.conversations).put({ ...meta }));
  }

  async saveMessages(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    await tx([S.messages], "readwrite", (t) => {
      const store = t.objectStore(S.messages);
      for (const m of messages) store.put({ ...m });
    });
  }

  async saveOutboxItem(item: OutboxItem): Promise<void> {
    await tx([S.kv, S.outbox], "readwrite", async (t) => {
      const outbox = t.objectStore(S.outbox);
      const existing = (await request(outbox.get(item.clientMsgId))) as OutboxRow | undefined;
      let order = existing?.order;
      if (order === undefined) {
        const kv = t.objectStore(S.kv);
        order = (((await request(kv.get("outboxOrder"))) as number | undefined) ?? 0) + 1;
        kv.put(order, "outboxOrder");
      }
      // structuredClone keeps an attachment's Blob: IndexedDB stores the bytes themselves.
      outbox.put({ clientMsgId: item.clientMsgId, order, item: structuredClone(item) } satisfies OutboxRow);
    });
  }

  async deleteOutboxItem(clientMsgId: string): Promise<void> {
    await tx([S.outbox], "readwrite", (t) => void t.objectStore(S.outbox).delete(clientMsgId));
  }

  async clear(): Promise<void> {
    await tx([S.kv, S.conversations, S.messages, S.outbox], "readwrite", (t) => {
      for (const name of [S.kv, S.conversations, S.messages, S.outbox]) t.objectStore(name).clear();
    });
  }
}

/**
 * What the gateway last said, kept for offline starts (cleared with the store at logout):
 * `people` the names the app knows, `members:<conversationId>` a group's member list.
 */
export type CachedKey = "me" | "conversations" | "contacts" | "people" | `members:${string}`;

export async function readCache<T>(key: CachedKey): Promise<T | undefined> {
  if (!hasIndexedDb()) return undefined;
  try {
    return await tx([S.kv], "readonly", (t) => request(t.objectStore(S.kv).get(`cache:${key}`)) as Promise<T | undefined>);
  } catch {
    return undefined;
  }
}

export async function writeCache(key: CachedKey, value: unknown): Promise<void> {
  if (!hasIndexedDb()) return;
  try {
    await tx([S.kv], "readwrite", (t) => void t.objectStore(S.kv).put(value, `cache:${key}`));
  } catch {
    // A cache: losing a write only means an older copy shows offline.
  }
}

/** Logout: forget everything of this person on this device (thumbnails too). */
export async function clearAll(): Promise<void> {
  if (!hasIndexedDb()) return;
  await new IdbClientStore().clear().catch(() => {});
  await tx([S.thumbs], "readwrite", (t) => void t.objectStore(S.thumbs).clear()).catch(() => {});
}
