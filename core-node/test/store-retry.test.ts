/**
 * A short PostgreSQL outage during sends (docs/reliability.md, postgres-restart): the node retries
 * a send whose store call failed with a transient database error, with the socket's later frames
 * waiting behind it, so they are stored in the order the client wrote them and the client never
 * sees INTERNAL. Anything else (an AppError, a bad statement) is answered at once, as before.
 */
import { describe, expect, it } from "vitest";
import { MemoryHub } from "@dim/infra";
import { AppError, ErrorCode } from "@dim/shared";
import type { MessageStore } from "@dim/db";
import { isTransientDbError, withStoreRetry } from "../src/store-retry";
import { clientMsgId, connectAs, createConversation, createUser, startNode, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

const pgError = (code: string, message = "boom") => Object.assign(new Error(message), { code });

describe("isTransientDbError", () => {
  it("knows PostgreSQL going away from a bad statement", () => {
    for (const err of [
      pgError("57P01", "terminating connection due to administrator command"),
      pgError("57P03", "the database system is starting up"),
      pgError("08006"),
      pgError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"),
      new Error("Connection terminated unexpectedly"),
    ]) {
      expect(isTransientDbError(err), String(err)).toBe(true);
    }
    for (const err of [pgError("23505", "duplicate key"), pgError("42P01", "relation does not exist"), new AppError(ErrorCode.Internal, "x"), new Error("nope"), "text", null]) {
      expect(isTransientDbError(err), String(err)).toBe(false);
    }
  });

  it("withStoreRetry retries transient failures within its budget, and nothing else", async () => {
    let calls = 0;
    expect(await withStoreRetry(async () => (++calls < 3 ? Promise.reject(pgError("ECONNREFUSED")) : "ok"))).toBe("ok");
    expect(calls).toBe(3);
    calls = 0;
    await expect(withStoreRetry(async () => (++calls, Promise.reject(new AppError(ErrorCode.Forbidden, "no"))))).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(calls).toBe(1);
    calls = 0;
    await expect(withStoreRetry(async () => (++calls, Promise.reject(pgError("57P01"))), { budgetMs: 300 })).rejects.toMatchObject({ code: "57P01" });
    expect(calls).toBeGreaterThan(1);
  });
});

describe("sends across a short store outage", () => {
  it("are stored in the order the socket wrote them, each acknowledged once, with no INTERNAL error", async () => {
    let failing = 0;
    const flaky = (s: MessageStore): MessageStore =>
      new Proxy(s, {
        get(target, prop, receiver) {
          if (prop === "append") {
            return async (input: Parameters<MessageStore["append"]>[0]) => {
              if (failing > 0) {
                failing--;
                throw pgError("57P01", "terminating connection due to administrator command");
              }
              return target.append(input);
            };
          }
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    const node = await startNode(db, new MemoryHub(), { store: flaky });
    const [alice, bob] = [await createUser(db.prisma), await createUser(db.prisma)];
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client } = await connectAs(node, alice);

    failing = 4; // the first send's first four tries fail, as while PostgreSQL restarts
    const ids = Array.from({ length: 5 }, () => clientMsgId());
    for (const [i, id] of ids.entries()) client.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: `m${i}` });
    const sent = [];
    for (const id of ids) sent.push(await client.next("sent", (f) => f.clientMsgId === id, 20_000));
    expect(sent.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(sent.every((f) => !f.duplicate)).toBe(true);
    expect(client.all("error")).toEqual([]);
    expect(failing).toBe(0);
  });
});
