/**
 * The file routes answer every refusal in their one typed shape (`fileRouteError`: `{ error:
 * { code, message, details? } }`), also those decided before the route runs: a browser Origin
 * that is not allowed (FORBIDDEN, 403, no CORS headers, nothing stored), a gateway without a blob
 * store, a gateway that is shutting down (INTERNAL, 503). tRPC keeps its own shape for the same.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { attachmentUrl, fileRouteError, UPLOAD_ENDPOINT, uploadResponse } from "@dim/shared";
import { DiskBlobStore } from "@dim/infra";
import { useTestGateway } from "./helpers";
import { countStored, download, PDF, upload } from "./attachment-helpers";

const blobDir = mkdtempSync(join(tmpdir(), "dim-origin-blobs-"));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));
const gw = useTestGateway({ uploadSweepMs: 0, allowedOrigins: ["https://app.example"] }, { blobs: () => new DiskBlobStore(blobDir) });
const bare = useTestGateway({ uploadSweepMs: 0 });

async function expectFileError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/json");
  const body = fileRouteError.parse(JSON.parse(text));
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe("file routes: refusals before the route, in the route's own error shape", () => {
  it("an upload from a foreign Origin: FORBIDDEN (403) as fileRouteError, no CORS headers, nothing stored", async () => {
    const A = await gw.register("origin_a");
    const res = await upload(gw, A.session.sessionToken, "x.pdf", PDF, { origin: "https://evil.example" });
    expect(await expectFileError(res, 403, "FORBIDDEN")).toContain("https://evil.example");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(await countStored(gw, blobDir)).toEqual({ rows: 0, blobs: 0 });

    // The same session from an allowed origin uploads, with CORS headers for that origin.
    const ok = await upload(gw, A.session.sessionToken, "x.pdf", PDF, { origin: "https://app.example" });
    expect(ok.status).toBe(201);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const att = uploadResponse.parse(await ok.json()).attachment;
    // A download is a safe method: served, but without CORS headers a foreign page cannot read it.
    const got = await download(gw, A.session.sessionToken, attachmentUrl(att.id), { origin: "https://evil.example" });
    expect(got.status).toBe(200);
    expect(got.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("tRPC keeps its own error shape for a foreign Origin", async () => {
    const res = await gw.fetch("auth.logout", { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { data: { appCode: string } } };
    expect(body.error.data.appCode).toBe("FORBIDDEN");
    expect(fileRouteError.safeParse(body).success).toBe(false);
  });

  it("no blob store configured, then shutting down: INTERNAL (503) as fileRouteError", async () => {
    const A = await bare.register("origin_bare");
    expect(await expectFileError(await upload(bare, A.session.sessionToken, "x.pdf", PDF), 503, "INTERNAL")).toBe("attachments are not configured");
    await bare.server.gateway.close();
    const res = await fetch(`${bare.server.url}${UPLOAD_ENDPOINT}?name=x.pdf`, { method: "POST", body: PDF });
    expect(await expectFileError(res, 503, "INTERNAL")).toBe("gateway is shutting down");
  });
});
