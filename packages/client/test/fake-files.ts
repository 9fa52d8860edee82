/**
 * A FileClient double for the unit tests of the outbox's uploads: each upload waits until the
 * test answers it (resolve, refuse, break off) and records what it was given.
 */
import { randomUUID } from "node:crypto";
import { AppError, ErrorCode, type AttachmentRef } from "@dim/shared";
import { ClientErrorCode, type FileClient, type UploadOptions } from "../src";
import { unreachable } from "../src/file-route-error";

export interface PendingUpload {
  file: Blob;
  options: UploadOptions;
  aborted: boolean;
  progress(loaded: number): void;
  resolve(over?: Partial<AttachmentRef>): AttachmentRef;
  refuse(error: AppError): void;
  breakOff(): void;
}

export class FakeFiles implements FileClient {
  readonly uploads: PendingUpload[] = [];
  thumbnails = 0;
  thumbnailFails = false;

  upload(file: Blob, options: UploadOptions): Promise<AttachmentRef> {
    return new Promise((resolve, reject) => {
      const pending: PendingUpload = {
        file,
        options,
        aborted: false,
        progress: (loaded) => options.onProgress?.({ loaded, total: file.size }),
        resolve: (over = {}) => {
          const image = file.type.startsWith("image/");
          const ref: AttachmentRef = {
            id: randomUUID(),
            kind: image ? "image" : "file",
            mime: file.type || "application/octet-stream",
            name: options.name,
            size: file.size,
            ...(image ? { width: 40, height: 20, placeholder: "1QcSHQRnh493V4dIh4eXh1h4kJUI" } : {}),
            ...over,
          };
          resolve(ref);
          return ref;
        },
        refuse: (error) => reject(error),
        breakOff: () => reject(unreachable("connection reset")),
      };
      options.signal?.addEventListener("abort", () => {
        pending.aborted = true;
        reject(new AppError<ClientErrorCode>(ClientErrorCode.UploadCancelled, "cancelled"));
      });
      this.uploads.push(pending);
    });
  }

  async thumbnail(attachmentId: string): Promise<Blob> {
    this.thumbnails++;
    if (this.thumbnailFails) throw unreachable("offline");
    return new Blob([`thumb of ${attachmentId}`], { type: "image/webp" });
  }

  async download(attachmentId: string): Promise<Blob> {
    return new Blob([`bytes of ${attachmentId}`]);
  }

  url(attachmentId: string, what: "original" | "thumbnail" = "original"): string {
    return `/api/files/${attachmentId}${what === "thumbnail" ? "/thumb" : ""}`;
  }

  last(): PendingUpload {
    const u = this.uploads.at(-1);
    if (!u) throw new Error("no upload started");
    return u;
  }
}

export const tooLarge = () => new AppError(ErrorCode.PayloadTooLarge, "an upload may hold at most 100 bytes", { maxBytes: 100 });
