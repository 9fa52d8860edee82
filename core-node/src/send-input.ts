/**
 * A `send` frame as the store's append input. An attachment's caption is its body (the store binds
 * the attachment in the same append); an event's target goes as targetSeq, a reaction's emoji as
 * its body ("" removes it), a delete has none. A text's or edit's mentions go as they came (the
 * store checks them against the group in the append's transaction).
 */
import type { SendFrame } from "@dim/shared";
import type { AppendInput } from "@dim/db";

/** A text's or edit's mentions, as the store takes them (absent when none). */
function mentionsOf(frame: { mentions?: string[] | undefined; mentionsAll?: true | undefined }): Pick<AppendInput, "mentions" | "mentionsAll"> {
  return { ...(frame.mentions !== undefined ? { mentions: frame.mentions } : {}), ...(frame.mentionsAll ? { mentionsAll: true } : {}) };
}

export function appendInputOf(senderId: string, frame: SendFrame): AppendInput {
  const base = { senderId, conversationId: frame.conversationId, clientMsgId: frame.clientMsgId };
  switch (frame.kind) {
    case "text":
      return { ...base, kind: "text", body: frame.body, ...(frame.replyTo !== undefined ? { replyTo: frame.replyTo } : {}), ...mentionsOf(frame) };
    case "image":
    case "file":
      return { ...base, kind: frame.kind, body: frame.caption ?? "", attachmentId: frame.attachmentId };
    case "edit":
      return { ...base, kind: "edit", targetSeq: frame.targetSeq, body: frame.body, ...mentionsOf(frame) };
    case "delete":
      return { ...base, kind: "delete", targetSeq: frame.targetSeq, body: "" };
    case "reaction":
      return { ...base, kind: "reaction", targetSeq: frame.targetSeq, body: frame.emoji ?? "" };
  }
}
