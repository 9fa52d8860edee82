/**
 * conversations.linkPreview through a real gateway: members only, within their window; the
 * gateway fetches the message's first link (here a loopback server, reachable only through the
 * tests-only allow list), caches it for everyone, throttles fetches per user, and says nothing
 * when previews are off or the guard refuses the address.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { befriend, expectAppError, send, useTestGateway } from "./helpers";

let server: Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(200, { "content-type": "text/html" }).end(`<head><title>Page ${req.url}</title><meta property="og:description" content="About ${req.url}"><meta property="og:site_name" content="Loopback"></head>`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("conversations.linkPreview", () => {
  const gw = useTestGateway({ linkPreviewAllowCidrs: ["127.0.0.1/32"], linkPreviewMaxPerUser: 3 });

  it("gives a member the preview of the message's first link, fetched once and cached for every member", async () => {
    const { A, B, conversationId } = await befriend(gw, "lia", "leo");
    const m = await send(gw, A.id, conversationId, `look: ${base}/one?x=1. and ${base}/two`);
    const before = hits.length;
    const { preview } = await B.client.conversations.linkPreview.query({ conversationId, seq: m.seq });
    expect(preview).toEqual({ url: `${base}/one?x=1`, title: "Page /one?x=1", description: "About /one?x=1", siteName: "Loopback" });
    expect(await A.client.conversations.linkPreview.query({ conversationId, seq: m.seq })).toEqual({ preview });
    expect(hits.length - before).toBe(1); // the second member was served from the cache
    const row = await gw.prisma.linkPreview.findFirst({ where: { url: `${base}/one?x=1` } });
    expect(row).toMatchObject({ outcome: "ok", title: "Page /one?x=1" });
  });

  it("no link, a deleted message: no preview and no fetch", async () => {
    const { A, conversationId } = await befriend(gw, "mia", "max");
    const plain = await send(gw, A.id, conversationId, "no link here, only www.example.com and javascript:alert(1)");
    const before = hits.length;
    expect(await A.client.conversations.linkPreview.query({ conversationId, seq: plain.seq })).toEqual({ preview: null });
    const linked = await send(gw, A.id, conversationId, `${base}/deleted`);
    await gw.prisma.message.update({ where: { id: linked.id }, data: { deletedAt: new Date(), body: "" } });
    expect(await A.client.conversations.linkPreview.query({ conversationId, seq: linked.seq })).toEqual({ preview: null });
    expect(hits.length).toBe(before);
  });

  it("refuses a non-member (FORBIDDEN), a seq outside the window (NOT_FOUND), bad input (BAD_REQUEST), no session (UNAUTHORIZED), and fetches nothing", async () => {
    const { A, conversationId } = await befriend(gw, "nia", "ned");
    const m = await send(gw, A.id, conversationId, `${base}/secret`);
    const stranger = await gw.register("nosy");
    const before = hits.length;
    await expectAppError(stranger.client.conversations.linkPreview.query({ conversationId, seq: m.seq }), ErrorCode.Forbidden);
    await expectAppError(A.client.conversations.linkPreview.query({ conversationId, seq: m.seq + 5 }), ErrorCode.NotFound);
    await expectAppError(A.client.conversations.linkPreview.query({ conversationId, seq: 0 }), ErrorCode.BadRequest);
    await expectAppError(A.client.conversations.linkPreview.query({ conversationId: "not-a-uuid", seq: 1 }), ErrorCode.BadRequest);
    await expectAppError(A.client.conversations.linkPreview.query({ conversationId, seq: m.seq, url: "http://169.254.169.254/" } as never), ErrorCode.BadRequest);
    await expectAppError(gw.anon.conversations.linkPreview.query({ conversationId, seq: m.seq }), ErrorCode.Unauthorized);
    expect(hits.length).toBe(before);
  });

  it("throttles fetches per user (cache hits are free): RATE_LIMITED with Retry-After details", async () => {
    const { A, conversationId } = await befriend(gw, "ola", "oli");
    const seqs = [];
    for (const path of ["r1", "r2", "r3", "r4"]) seqs.push((await send(gw, A.id, conversationId, `${base}/${path}`)).seq);
    for (const s of seqs.slice(0, 3)) expect((await A.client.conversations.linkPreview.query({ conversationId, seq: s })).preview).not.toBeNull();
    const refused = await expectAppError(A.client.conversations.linkPreview.query({ conversationId, seq: seqs[3]! }), ErrorCode.RateLimited);
    expect(refused.data.details?.retryAfterMs).toBeGreaterThan(0);
    // Already cached: still answered.
    expect((await A.client.conversations.linkPreview.query({ conversationId, seq: seqs[0]! })).preview?.title).toBe("Page /r1");
  });
});

describe("conversations.linkPreview with the defaults (no allow list)", () => {
  const gw = useTestGateway();
  it("the SSRF guard refuses the loopback server: no preview, no request reaches it, the failure is cached", async () => {
    const { A, conversationId } = await befriend(gw, "pia", "pat");
    const before = hits.length;
    for (const url of [`${base}/guarded`, "http://localhost/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.1.2.3/"]) {
      const m = await send(gw, A.id, conversationId, `see ${url}`);
      expect(await A.client.conversations.linkPreview.query({ conversationId, seq: m.seq }), url).toEqual({ preview: null });
    }
    expect(hits.length).toBe(before);
    const rows = await gw.prisma.linkPreview.findMany({ select: { outcome: true } });
    expect(rows.map((r) => r.outcome).sort()).toEqual(Array(5).fill("refused_address"));
  });
});

describe("conversations.linkPreview with previews off", () => {
  const gw = useTestGateway({ linkPreviews: false, linkPreviewAllowCidrs: ["127.0.0.1/32"] });
  it("answers null and fetches nothing", async () => {
    const { A, conversationId } = await befriend(gw, "quin", "qiu");
    const m = await send(gw, A.id, conversationId, `${base}/off`);
    const before = hits.length;
    expect(await A.client.conversations.linkPreview.query({ conversationId, seq: m.seq })).toEqual({ preview: null });
    expect(hits.length).toBe(before);
  });
});
