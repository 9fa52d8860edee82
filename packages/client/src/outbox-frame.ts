// The `send` frame of a queued item: a text (maybe a reply), an uploaded attachment, or an event
// on an earlier seq.
import type { Message, SendFrame } from "@dim/shared";
import type { OutboxItem } from "./types";

/** A text's or edit's mentions as the frame carries them (absent when none). */
function mentionsOf(item: OutboxItem): { mentions?: string[]; mentionsAll?: true } {
  return { ...(item.mentions && item.mentions.length > 0 ? { mentions: item.mentions } : {}), ...(item.mentionsAll ? { mentionsAll: true as const } : {}) };
}

/** The `send` frame of a queued item; null for an attachment that is not uploaded yet. */
export function sendFrameOf(item: OutboxItem): SendFrame | null {
  const base = { type: "send", conversationId: item.conversationId, clientMsgId: item.clientMsgId } as const;
  switch (item.kind) {
    case "image":
    case "file": {
      const ref = item.attachment?.uploaded;
      if (!ref) return null;
      return { ...base, kind: ref.kind, attachmentId: ref.id, ...(item.body ? { caption: item.body } : {}) };
    }
    case "text":
      return { ...base, kind: "text", body: item.body, ...(item.replyTo !== undefined ? { replyTo: item.replyTo } : {}), ...mentionsOf(item) };
    case "edit":
      return { ...base, kind: "edit", targetSeq: item.targetSeq!, body: item.body, ...mentionsOf(item) };
    case "delete":
      return { ...base, kind: "delete", targetSeq: item.targetSeq! };
    case "reaction":
      return { ...base, kind: "reaction", targetSeq: item.targetSeq!, emoji: item.body === "" ? null : item.body };
  }
}

/** What a queued item becomes once stored (its Message, from the `sent` frame's fields). */
export function storedFieldsOf(item: OutboxItem): Pick<Message, "kind" | "body" | "replyTo" | "targetSeq" | "attachment" | "mentions" | "mentionsAll"> {
  return {
    ...(item.kind === "text" || item.kind === "edit" ? mentionsOf(item) : {}),
    kind: item.kind,
    body: item.body,
    ...(item.attachment?.uploaded ? { attachment: item.attachment.uploaded } : {}),
    ...(item.replyTo !== undefined ? { replyTo: item.replyTo } : {}),
    ...(item.targetSeq !== undefined ? { targetSeq: item.targetSeq } : {}),
  };
}
