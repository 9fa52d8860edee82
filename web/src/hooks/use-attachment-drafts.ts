"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { tooBigText } from "@/lib/attachment-text";
import { useTranslatorRef } from "./use-error-text";

/** A file picked (button, paste, drop) and not sent yet, with its preview and any reason it cannot go. */
export interface AttachmentDraft {
  key: string;
  file: File;
  /** Object URL of an image, for its preview; null for other files. */
  previewUrl: string | null;
  width?: number;
  height?: number;
  /** Why it cannot be sent (too large, empty); it stays in the tray until removed. */
  problem: string | null;
}

/** Most files in one go (each is its own message). */
export const MAX_DRAFTS = 10;
const PREVIEWABLE = /^image\/(jpeg|png|webp|gif|avif)$/;

let keys = 0;

/**
 * The files waiting in the composer. Images get an object URL preview and their pixel size (for
 * the bubble's box before the upload answers); a file over `maxBytes` or empty gets its sentence
 * at once. Object URLs are revoked when a draft leaves, and on unmount.
 */
export function useAttachmentDrafts(maxBytes: number | null) {
  const tRef = useTranslatorRef();
  const [drafts, setDrafts] = useState<AttachmentDraft[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const live = useRef(drafts);
  live.current = drafts;
  useEffect(() => () => live.current.forEach((d) => d.previewUrl && URL.revokeObjectURL(d.previewUrl)), []);

  const add = useCallback(
    (files: Iterable<File>) => {
      const list = [...files];
      if (list.length === 0) return;
      const room = MAX_DRAFTS - live.current.length;
      const t = tRef.current;
      setNotice(list.length > room ? t("attachments.maxDrafts", { max: MAX_DRAFTS }) : null);
      const added = list.slice(0, Math.max(0, room)).map<AttachmentDraft>((file) => ({
        key: `draft-${++keys}`,
        file,
        previewUrl: PREVIEWABLE.test(file.type) && file.size > 0 ? URL.createObjectURL(file) : null,
        problem: file.size === 0 ? t("attachments.empty", { name: file.name }) : maxBytes !== null && file.size > maxBytes ? tooBigText(file.name, file.size, maxBytes, t) : null,
      }));
      setDrafts((d) => [...d, ...added]);
      for (const draft of added) {
        if (!draft.previewUrl || draft.problem) continue;
        // The pixel size, so the message keeps its shape while it uploads.
        void createImageBitmap(draft.file)
          .then((bitmap) => {
            const size = { width: bitmap.width, height: bitmap.height };
            bitmap.close();
            setDrafts((d) => d.map((x) => (x.key === draft.key ? { ...x, ...size } : x)));
          })
          .catch(() => {});
      }
    },
    [maxBytes, tRef],
  );

  const remove = useCallback((key: string) => {
    setDrafts((d) => {
      const gone = d.find((x) => x.key === key);
      if (gone?.previewUrl) URL.revokeObjectURL(gone.previewUrl);
      return d.filter((x) => x.key !== key);
    });
    setNotice(null);
  }, []);

  /** After sending: the sent drafts leave (their previews stay with the message via the client). */
  const take = useCallback((sent: AttachmentDraft[]) => {
    const gone = new Set(sent.map((d) => d.key));
    setDrafts((d) => {
      for (const x of d) if (gone.has(x.key) && x.previewUrl) URL.revokeObjectURL(x.previewUrl);
      return d.filter((x) => !gone.has(x.key));
    });
    setNotice(null);
  }, []);

  return { drafts, notice, add, remove, take };
}

/** The files a paste or a drop carries (none for plain text). */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  const files = [...data.files];
  if (files.length > 0) return files;
  return [...data.items].filter((i) => i.kind === "file").flatMap((i) => i.getAsFile() ?? []);
}
