"use client";
import { createContext, useContext } from "react";
import type { ChatAttachment } from "@dim/client";

/** What an attachment inside a message can do, given by the open conversation (ChatView). */
export interface AttachmentActions {
  /** The thumbnail, from IndexedDB when seen before (offline too), else from the server. */
  thumbnail(attachmentId: string): Promise<Blob>;
  /** Where the original bytes are served (same origin, the session cookie). */
  fileUrl(attachmentId: string): string;
  /** Cancels an upload, or removes a message that failed. */
  discard(clientMsgId: string): void;
  /** Opens the full-size viewer. */
  view(attachment: ChatAttachment): void;
  online: boolean;
}

export const AttachmentContext = createContext<AttachmentActions | null>(null);

export function useAttachmentActions(): AttachmentActions {
  const actions = useContext(AttachmentContext);
  if (!actions) throw new Error("an attachment is shown outside a conversation");
  return actions;
}
