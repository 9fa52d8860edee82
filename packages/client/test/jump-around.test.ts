/**
 * Jumping far back in a long conversation (a search result, a date) against the real system
 * (real-stack.ts): `loadAround` fetches one page around the target through the gateway's
 * `history { aroundSeq }` instead of paging every older page in; the client then holds two blocks
 * with a gap between them, says so (`gaps`), and `loadGap` fills it forwards, page by page, until
 * the conversation is whole again. Every gateway `history` call is counted.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { gatewayPort, type DimGateway } from "../src";
import { befriend, clientFor, eventually, register, stackPrisma, useRealStack } from "./real-stack";

useRealStack();

const MESSAGES = 3000;

describe("jump around a seq", () => {
  it("loads a page around a far seq in one history call, then fills the gap forwards", async () => {
    const alice = await register("jump_alice");
    const bob = await register("jump_bob");
    const c = await befriend(alice, bob);
    // 3 000 messages, alternating senders, one a minute.
    const prisma = stackPrisma();
    await prisma.$executeRaw`
      INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at)
      SELECT gen_random_uuid(), ${c}::uuid, s, CASE WHEN s % 2 = 0 THEN ${alice.id}::uuid ELSE ${bob.id}::uuid END,
             'seed-' || s || '-' || ${randomUUID()}, 'text', 'message ' || s, now() - make_interval(mins => ${MESSAGES} - s)
      FROM generate_series(1, ${MESSAGES}) s`;
    await prisma.$executeRaw`UPDATE conversations SET last_seq = ${MESSAGES} WHERE id = ${c}::uuid`;

    const calls: Array<Record<string, unknown>> = [];
    const port = gatewayPort(alice.api); // the real gateway (tRPC over HTTP)
    const counting: DimGateway = {
      ...port,
      assignNode: (input) => port.assignNode(input),
      history: (input) => {
        calls.push(input);
        return port.history!(input);
      },
    };
    const a = clientFor(alice, undefined, { gateway: counting });
    await a.connect();
    await a.loadLatest(c, 200);
    await eventually(a, () => a.conversationMeta(c)?.heldSeq === MESSAGES, "the latest page held");
    calls.length = 0;

    // Jump to seq 100: one call, the page around it.
    const page = await a.loadAround(c, 100, 50);
    expect(calls).toEqual([{ conversationId: c, aroundSeq: 100, limit: 50 }]);
    expect(page).toMatchObject({ hasMore: true, hasMoreAfter: true });
    const held = a.conversationMessages(c).map((m) => m.seq!);
    expect(held).toContain(100);
    expect(held.filter((s) => s < 2000).length).toBeLessThanOrEqual(50);
    const gaps = a.gaps(c);
    expect(gaps).toHaveLength(1);
    const [gap] = gaps;
    expect(gap!.afterSeq).toBeGreaterThanOrEqual(100);
    expect(gap!.beforeSeq).toBe(MESSAGES - 200 + 1);
    // Already held: a jump to a seq in either block needs nothing more.
    expect(a.holds(c, 100)).toBe(true);
    expect(a.holds(c, 2900)).toBe(true);
    expect(a.holds(c, 1500)).toBe(false);

    // Older history below the jump page pages as usual, from the lowest held seq.
    await a.loadOlder(c, 50);
    expect(calls.at(-1)).toMatchObject({ beforeSeq: page.firstSeq });

    // The gap fills forwards; the conversation is whole again, once each.
    calls.length = 0;
    for (let i = 0; i < 20 && a.gaps(c).length > 0; i++) await a.loadGap(c, a.gaps(c)[0]!.afterSeq, 200);
    expect(a.gaps(c)).toEqual([]);
    const seqs = a.conversationMessages(c).map((m) => m.seq!);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)).toBe(MESSAGES);
    expect(calls.length).toBeLessThanOrEqual(Math.ceil((MESSAGES - 200 - 125) / 200) + 1);
    expect(calls.every((c2) => typeof c2.afterSeq === "number")).toBe(true);
  });

  it("refuses a bad seq before asking the gateway", async () => {
    const carol = await register("jump_carol");
    const dave = await register("jump_dave");
    const c = await befriend(carol, dave);
    const client = clientFor(carol);
    await expect(client.loadAround(c, 0)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(client.loadGap(c, -1)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
