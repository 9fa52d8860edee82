/**
 * What a push says about a message, per the recipient's preview setting: `none` — nothing but
 * that there is one; `name` — who wrote and the group's title; `text` — those and the text (cut
 * to PUSH_TEXT_MAX; an image or file says which).
 */
import { PUSH_TEXT_MAX, type Message, type PushPayload, type PushPreview } from "@dim/shared";
import type { PushContext } from "@dim/db";

function textOf(message: Message): string {
  if (message.kind === "image") return message.body ? `📷 ${message.body}` : "📷 Photo";
  if (message.kind === "file") return `📎 ${message.attachment?.name ?? "File"}${message.body ? ` — ${message.body}` : ""}`;
  return message.body;
}

export function pushPayloadOf(message: Message, context: PushContext, preview: PushPreview): PushPayload {
  const named = preview !== "none";
  const text = preview === "text" ? [...textOf(message)] : null;
  return {
    v: 1,
    type: "message",
    conversationId: message.conversationId,
    seq: message.seq,
    sender: named ? context.senderName : null,
    conversation: named && context.kind === "group" ? context.title : null,
    text: text === null ? null : text.length > PUSH_TEXT_MAX ? `${text.slice(0, PUSH_TEXT_MAX - 1).join("")}…` : text.join(""),
  };
}
