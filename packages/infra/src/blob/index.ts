export { requireBlobKey, type BlobStore, type BlobRange } from "./blob-store";
export { DiskBlobStore } from "./disk-blob-store";
export type { S3BlobStore, S3BlobStoreOptions } from "./s3-blob-store";
export { blobConfigSchema, createBlobStore, type BlobConfig } from "./config";
