import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { gatewayEnvSchema } from "@dim/api";
import { coreNodeEnvSchema } from "@dim/core-node";
import { blobConfigSchema, infraConfigSchema } from "@dim/infra";
import { devConfigSchema, pushConfigSchema } from "@dim/shared/node";
import { metricsEnvSchema } from "@dim/shared/metrics";

const doc = readFileSync(new URL("../docs/configuration.md", import.meta.url), "utf8");
const documented = new Set([...doc.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));

/** The keys of a zod object schema, looking through refinements. */
function keysOf(schema: z.ZodType): string[] {
  const def = (schema as unknown as { def: { shape?: Record<string, unknown>; schema?: z.ZodType; in?: z.ZodType } }).def;
  if (def.shape) return Object.keys(def.shape);
  const inner = def.schema ?? def.in;
  if (inner) return keysOf(inner);
  throw new Error("not an object schema");
}

describe("docs/configuration.md", () => {
  const schemas = { "core node": coreNodeEnvSchema, gateway: gatewayEnvSchema, infra: infraConfigSchema, blobs: blobConfigSchema, metrics: metricsEnvSchema, push: pushConfigSchema, dev: devConfigSchema };
  for (const [name, schema] of Object.entries(schemas)) {
    it(`documents every ${name} variable`, () => {
      const missing = keysOf(schema).filter((k) => !documented.has(k));
      expect(missing).toEqual([]);
    });
  }
  it("documents no variable that no schema or script reads", () => {
    const known = new Set(Object.values(schemas).flatMap(keysOf));
    // read outside the three schemas: logger, data dir, dev scripts
    for (const k of ["DIM_LOG_LEVEL", "DIM_LOG_PRETTY", "DIM_DATA_DIR", "DIM_GATEWAY_PORT", "DIM_EMBEDDED_PG_PORT"]) known.add(k);
    expect([...documented].filter((k) => !known.has(k))).toEqual([]);
  });
});
