/**
 * docs/protocol.md must agree with packages/shared: every JSON example is validated against the
 * schema its `<!-- example: … -->` marker names, and every frame type, error code, close code and
 * gateway procedure is documented.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as shared from "@dim/shared";
import { appRouter } from "@dim/api";

const DOC_URL = new URL("../../../docs/protocol.md", import.meta.url);
const doc = readFileSync(DOC_URL, "utf8");

const trpcError = z.strictObject({
  error: z.strictObject({
    code: z.number().int(),
    message: z.string().min(1),
    data: z.strictObject({
      code: z.string(),
      httpStatus: z.number().int(),
      appCode: z.enum(shared.ERROR_CODES),
      path: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
});

/** "registerInput", "publicUser[]", "result(sessionOutput)", "clientFrame", "trpcError". */
function schemaFor(name: string): z.ZodType {
  const result = /^result\((.+)\)$/.exec(name);
  if (result) return z.strictObject({ result: z.strictObject({ data: schemaFor(result[1]!) }) });
  if (name.endsWith("[]")) return z.array(schemaFor(name.slice(0, -2)));
  if (name === "trpcError") return trpcError;
  const schema = (shared as Record<string, unknown>)[name];
  if (!(schema instanceof z.ZodType)) throw new Error(`docs/protocol.md names unknown schema '${name}'`);
  return schema;
}

interface Example {
  line: number;
  marker: string | null;
  json: string;
}

function examples(): Example[] {
  const lines = doc.split("\n");
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```json") continue;
    let j = i + 1;
    const body: string[] = [];
    while (j < lines.length && lines[j]!.trim() !== "```") body.push(lines[j++]!);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    const marker = /^<!-- example: (\S+) -->$/.exec(lines[k]?.trim() ?? "")?.[1] ?? null;
    found.push({ line: i + 1, marker, json: body.join("\n") });
    i = j;
  }
  return found;
}

describe("docs/protocol.md", () => {
  const all = examples();

  it("has JSON examples, each marked with the schema it follows", () => {
    expect(all.length).toBeGreaterThan(30);
    for (const e of all) expect(e.marker, `example at line ${e.line} has no <!-- example: … --> marker`).not.toBeNull();
  });

  it.each(all.map((e) => [e.line, e] as const))("the example at line %i is valid", (_line, e) => {
    const value: unknown = JSON.parse(e.json);
    const parsed = schemaFor(e.marker!).safeParse(value);
    expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues)).toBe(true);
  });

  it("shows an example of every client and server frame type", () => {
    const types = new Set(
      all
        .filter((e) => e.marker === "clientFrame" || e.marker === "serverFrame")
        .map((e) => (JSON.parse(e.json) as { type: string }).type),
    );
    const serverTypes = shared.serverFrame.options.map((o) => o.shape.type.value);
    for (const t of [...shared.CLIENT_FRAME_TYPES, ...serverTypes]) expect(types, `no example of '${t}'`).toContain(t);
  });

  it("documents every error code and close code", () => {
    for (const code of shared.ERROR_CODES) expect(doc, `error code ${code}`).toContain(`| \`${code}\` |`);
    for (const [name, value] of Object.entries(shared.CloseCode)) {
      expect(doc, `close code ${name}`).toContain(`| \`${value}\` | \`${name}\` |`);
    }
  });

  it("documents every gateway procedure with its kind", () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
    expect(Object.keys(procedures).length).toBeGreaterThan(10);
    for (const [path, proc] of Object.entries(procedures)) {
      const kind = proc._def.type === "query" ? "Q" : "M";
      expect(doc, `procedure ${path}`).toContain(`| \`${path}\` | ${kind} |`);
      expect(doc, `section for ${path}`).toContain(`### ${path} (${kind})`);
    }
  });

  it("states the bounds from Limits", () => {
    const n = (v: number) => v.toLocaleString("en").replace(/,/g, " ");
    expect(doc).toContain(`| Largest WebSocket frame a core node accepts | ${n(shared.Limits.maxFrameBytes)} bytes`);
    expect(doc).toContain(`1 to ${n(shared.Limits.maxBodyChars)} characters`);
    expect(doc).toContain(`${shared.Limits.minClientMsgIdChars} to ${shared.Limits.maxClientMsgIdChars} characters`);
    expect(doc).toContain(`${shared.Limits.usernameMin} to ${shared.Limits.usernameMax} characters of \`a-z 0-9 _\``);
    expect(doc).toContain(`${shared.Limits.passwordMin} to ${shared.Limits.passwordMax} characters`);
    expect(doc).toContain(`1 to ${shared.Limits.maxPageSize} messages (default ${shared.Limits.defaultPageSize})`);
    expect(doc).toContain(`1 to ${shared.Limits.maxSearchResults} (default 10)`);
    expect(doc).toContain(`version is \`${shared.PROTOCOL_VERSION}\``);
    expect(doc).toContain(`| Sender ACK clock | client | ${n(shared.DEFAULT_ACK_TIMEOUT_MS)} ms`);
    expect(doc).toContain(`| Heartbeat | client | ${n(shared.DEFAULT_HEARTBEAT_MS)} ms`);
    expect(doc).toContain(`| Idle timeout | node | ${n(shared.DEFAULT_IDLE_TIMEOUT_MS)} ms`);
    expect(doc).toContain(`| Auth deadline | node | ${n(shared.DEFAULT_AUTH_TIMEOUT_MS)} ms`);
    expect(doc).toContain(`| Socket token lifetime | gateway | ${n(shared.DEFAULT_SOCKET_TOKEN_TTL_MS)} ms`);
  });
});
