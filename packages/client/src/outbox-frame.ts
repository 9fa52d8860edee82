// The `send` frame of a queued item: a text (maybe a reply) or an event on an earlier seq.
import type { SendFrame } from "@dim/shared";
import type { OutboxItem } from "./types";

export function sendFrameOf(item: OutboxItem): SendFrame {
  const base = { type: "send", conversationId: item.conversationId, clientMsgId: item.clientMsgId } as const;
  switch (item.kind) {
    case "text":
      return { ...base, kind: "text", body: item.body, ...(item.replyTo !== undefined ? { replyTo: item.replyTo } : {}) };
    case "edit":
      return { ...base, kind: "edit", targetSeq: item.targetSeq!, body: item.body };
    case "delete":
      return { ...base, kind: "delete", targetSeq: item.targetSeq! };
    case "reaction":
      return { ...base, kind: "reaction", targetSeq: item.targetSeq!, emoji: item.body === "" ? null : item.body };
  }
}

/** What a queued item becomes once stored (its Message, from the `sent` frame's fields). */
export function storedFieldsOf(item: OutboxItem): { kind: OutboxItem["kind"]; body: string; replyTo?: number; targetSeq?: number } {
  return {
    kind: item.kind,
    body: item.body,
    ...(item.replyTo !== undefined ? { replyTo: item.replyTo } : {}),
    ...(item.targetSeq !== undefined ? { targetSeq: item.targetSeq } : {}),
  };
}
