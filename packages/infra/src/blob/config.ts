/**
 * Which BlobStore a gateway uses, from the environment: the disk under the data directory in
 * embedded mode, an S3-compatible store in cluster mode (its endpoint and keys then required).
 * Only the gateway reads this (core nodes never touch blobs).
 */
import { join } from "node:path";
import { z } from "zod";
import { DATA_DIR } from "@dim/shared/node";
import type { BlobStore } from "./blob-store";
import { DiskBlobStore } from "./disk-blob-store";

const env = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema);

export const blobConfigSchema = z
  .object({
    DIM_MODE: env(z.enum(["embedded", "cluster"]).default("embedded")),
    /** Embedded mode: the blob directory. */
    DIM_BLOB_DIR: env(z.string().min(1).default(join(DATA_DIR, "blobs"))),
    /** Cluster mode: the S3 API's base URL, e.g. http://127.0.0.1:7070. */
    DIM_S3_ENDPOINT: env(z.url().optional()),
    DIM_S3_BUCKET: env(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name").default("dim-attachments")),
    DIM_S3_REGION: env(z.string().min(1).default("us-east-1")),
    DIM_S3_ACCESS_KEY_ID: env(z.string().min(1).optional()),
    DIM_S3_SECRET_ACCESS_KEY: env(z.string().min(1).optional()),
  })
  .superRefine((c, ctx) => {
    if (c.DIM_MODE !== "cluster") return;
    for (const name of ["DIM_S3_ENDPOINT", "DIM_S3_ACCESS_KEY_ID", "DIM_S3_SECRET_ACCESS_KEY"] as const) {
      if (c[name] === undefined) ctx.addIssue({ code: "custom", path: [name], message: `${name} is required when DIM_MODE=cluster` });
    }
  });

export type BlobConfig = z.infer<typeof blobConfigSchema>;

export async function createBlobStore(config: BlobConfig): Promise<BlobStore> {
  if (config.DIM_MODE !== "cluster") return new DiskBlobStore(config.DIM_BLOB_DIR);
  // Loaded only in cluster mode: the AWS SDK is large, and the embedded gateway never needs it.
  const { S3BlobStore } = await import("./s3-blob-store");
  return S3BlobStore.open({
    endpoint: config.DIM_S3_ENDPOINT!,
    bucket: config.DIM_S3_BUCKET,
    region: config.DIM_S3_REGION,
    accessKeyId: config.DIM_S3_ACCESS_KEY_ID!,
    secretAccessKey: config.DIM_S3_SECRET_ACCESS_KEY!,
  });
}
