/**
 * A `send` frame as the store's append input. An attachment's caption is its body (the store binds
 * the attachment in the same append); an event's target goes as targetSeq, a reaction's emoji as
 * its body ("" removes it), a delete has none.
 */
import type { SendFrame } from "@dim/shared";
import type { AppendInput } from "@dim/db";

export function appendInputOf(senderId: string, frame: SendFrame): AppendInput {
  const base = { senderId, conversationId: frame.conversationId, clientMsgId: frame.clientMsgId };
  switch (frame.kind) {
    case "text":
      return { ...base, kind: "text", body: frame.body, ...(frame.replyTo !== undefined ? { replyTo: frame.replyTo } : {}) };
    case "image":
    case "file":
      return { ...base, kind: frame.kind, body: frame.caption ?? "", attachmentId: frame.attachmentId };
    case "edit":
      return { ...base, kind: "edit", targetSeq: frame.targetSeq, body: frame.body };
    case "delete":
      return { ...base, kind: "delete", targetSeq: frame.targetSeq, body: "" };
    case "reaction":
      return { ...base, kind: "reaction", targetSeq: frame.targetSeq, body: frame.emoji ?? "" };
  }
}
