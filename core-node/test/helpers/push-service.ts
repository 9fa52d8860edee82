/**
 * A stand-in for a browser's push service on 127.0.0.1: each subscription made here has an
 * endpoint URL of its own and a real P-256 key pair and auth secret, as a browser makes them;
 * every POST to an endpoint is recorded and DECRYPTED (RFC 8291, aes128gcm, with http_ece) with
 * that subscription's private key. `answer` sets the status codes an endpoint replies with next
 * (then 201). Started in beforeAll, closed in afterAll (registered here).
 */
import { createECDH, randomBytes, randomUUID, type ECDH } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import ece from "http_ece";
import { afterAll, beforeAll } from "vitest";
import { pushPayload, type PushPayload, type PushSubscriptionInput } from "@dim/shared";

export interface ReceivedPush {
  headers: Record<string, string | string[] | undefined>;
  payload: PushPayload;
}

export interface FakeSubscription {
  id: string;
  input: PushSubscriptionInput;
  received: ReceivedPush[];
  /** Status codes to answer the next requests with, in order (then 201). */
  answer: number[];
  /** Requests seen, whatever they were answered. */
  requests: number;
}

export interface FakePushService {
  subscribe(): FakeSubscription;
  /** Resolves when `sub` holds `count` decrypted pushes. */
  waitFor(sub: FakeSubscription, count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
}

export function useFakePushService(): FakePushService {
  let server: Server | undefined;
  let base = "";
  const subs = new Map<string, { sub: FakeSubscription; ecdh: ECDH; auth: string }>();
  const waiters = new Set<() => void>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const id = (req.url ?? "").replace(/^\/push\//, "");
        const entry = subs.get(id);
        if (!entry || req.method !== "POST") {
          res.writeHead(404).end();
          return;
        }
        entry.sub.requests++;
        const status = entry.sub.answer.shift() ?? 201;
        if (status === 201) {
          const plain = ece.decrypt(Buffer.concat(chunks), { version: "aes128gcm", privateKey: entry.ecdh, authSecret: entry.auth });
          entry.sub.received.push({ headers: req.headers, payload: pushPayload.parse(JSON.parse(plain.toString("utf8"))) });
        }
        res.writeHead(status).end();
        for (const w of waiters) w();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  return {
    subscribe() {
      const id = randomUUID();
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16).toString("base64url");
      const sub: FakeSubscription = {
        id,
        input: { endpoint: `${base}/push/${id}`, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth } },
        received: [],
        answer: [],
        requests: 0,
      };
      subs.set(id, { sub, ecdh, auth });
      return sub;
    },
    waitFor(sub, count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (sub.received.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(sub.received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waited for ${count} pushes, got ${sub.received.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
