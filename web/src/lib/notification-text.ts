/**
 * What a notification of a new message says: the conversation as title, the text (or "Photo", a
 * file's name) as body; a mention of me says so in the title and gets a tag of its own, so a
 * later message of the same conversation does not replace it.
 */
import type { ChatMessage } from "@dim/client";
import type { Translator } from "@/i18n";
import { attachmentPreview } from "./attachment-text";
import type { NameOf } from "./system-text";

export interface NotificationText {
  title: string;
  body: string;
  tag: string;
  /** It mentions me (ChatMessage.mentionsMe): it notifies even where plain messages would not (a muted group). */
  mention: boolean;
}

export function notificationText(
  message: ChatMessage,
  conversation: { title: string; kind: "direct" | "group" } | undefined,
  nameOf: NameOf,
  t: Translator,
): NotificationText {
  const where = conversation?.title ?? t("notifications.newMessage");
  const text = attachmentPreview(message.kind, message.attachment, message.body, t);
  const body = text.length > 200 ? `${text.slice(0, 199)}…` : text;
  if (!message.mentionsMe) return { title: where.slice(0, 120), body, tag: message.conversationId, mention: false };
  const who = (message.senderId && nameOf(message.senderId)) || t("notifications.someone");
  return { title: t("notifications.mentioned", { who, where }).slice(0, 120), body, tag: `${message.conversationId}:mention:${message.seq ?? message.clientMsgId}`, mention: true };
}
