/**
 * Removes a bucket and every object in it from the services' S3 server: the tests make a bucket
 * per run and drop it afterwards, as they drop their databases, so services reused from
 * `npm run infra:up` do not fill up. Idempotent (a missing bucket is no error).
 */
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { InfraState } from "./state";

export async function dropBucket(s3: InfraState["s3"], bucket: string): Promise<void> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    for (;;) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (!(err instanceof S3ServiceException && (err.name === "NoSuchBucket" || err.$metadata.httpStatusCode === 404))) throw err;
  } finally {
    client.destroy();
  }
}
