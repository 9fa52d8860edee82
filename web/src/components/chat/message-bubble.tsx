"use client";
import { useRef, useState } from "react";
import { ClientErrorCode, type ChatMessage } from "@dim/client";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { useErrorText } from "@/hooks/use-error-text";
import { useFormatter, useTranslations } from "@/i18n";
import { shortTime } from "@/lib/format";
import { attachmentFailureText } from "@/lib/attachment-text";
import { receiptsOf } from "@/lib/group-client";
import { useAttachmentActions } from "./attachment-context";
import { FileCard } from "./file-card";
import { ImageAttachment } from "./image-attachment";
import { UploadStatus } from "./upload-status";
import { GroupReceipt } from "./group-receipt";
import { LinkPreviewCard } from "./link-preview-card";
import { useLinkPreview } from "@/hooks/use-link-preview";
import { MentionText, type MentionedNames } from "./mention-text";
import { MessageStateLabel } from "./message-state";
import { MessageActions, type MessageHandlers } from "./message-actions";
import { ReactionsRow } from "./reactions-row";
import { ReplyQuote } from "./reply-quote";

/** What the bubble needs for actions, its quote and its reactions; absent: a plain bubble (read only). */
export interface BubbleExtras {
  handlers: MessageHandlers | null;
  quoted: ChatMessage | undefined;
  quotedAuthor: string | null;
  onJump: (seq: number) => void;
  nameOf: (userId: string) => string;
  highlighted: boolean;
}

/** In a group: others' messages carry name and avatar (once per run of one sender); own ones their k-of-n receipts. */
export interface GroupBubble {
  onReaders: (seq: number) => void;
}

/**
 * Where the bubble is in its run (lib/chat-messages.ts): the first shows the sender, the last
 * its time, my newest stored message its state. Every bubble keeps its time for the mouse (a
 * tooltip), screen readers (visually hidden) and the keyboard (shown while focus is inside it).
 */
export interface RunPlace {
  first: boolean;
  last: boolean;
  newestOwn: boolean;
}

const ALONE: RunPlace = { first: true, last: true, newestOwn: true };

export function MessageBubble({
  message,
  senderName,
  onRetry,
  group,
  focused = false,
  extras,
  mentioned = null,
  run = ALONE,
}: {
  message: ChatMessage;
  senderName: string;
  onRetry: (clientMsgId: string) => void;
  group?: GroupBubble | undefined;
  /** Jumped to (a search result, a date, the first unread): briefly outlined. */
  focused?: boolean;
  extras?: BubbleExtras | undefined;
  /** The users this message mentions, by username (null: none). */
  mentioned?: MentionedNames | null;
  run?: RunPlace;
}) {
  const t = useTranslations();
  const format = useFormatter();
  const errorText = useErrorText();
  const own = message.own;
  const withAvatar = group && !own;
  const [menuOpen, setMenuOpen] = useState(false);
  const actionable = extras?.handlers && message.seq !== null;
  const showSender = Boolean(withAvatar && run.first);
  // Unsent and failed messages always say so; a stored one only when it is my newest.
  const showState = own && (run.newestOwn || message.state === "sending" || message.state === "failed");
  const edited = Boolean(message.editedAt && !message.deleted);
  const failed = own && message.state === "failed";
  // Every bubble's full time, as a tooltip (a run shows the time of its last message only).
  const when = format.dateTime(new Date(message.createdAt), { dateStyle: "medium", timeStyle: "short" });
  const corners = own ? `rounded-br-md ${run.first ? "" : "rounded-tr-md"}` : `rounded-bl-md ${run.first ? "" : "rounded-tl-md"}`;
  const item = useRef<HTMLLIElement>(null);
  const preview = useLinkPreview(message, item);
  return (
    <li
      ref={item}
      className={`group flex scroll-mt-16 rounded-lg transition-colors ${run.first ? "mt-2" : "mt-0.5"} ${own ? "justify-end" : "justify-start"} ${focused ? "ring-2 ring-brand-500 ring-offset-2" : ""} ${extras?.highlighted ? "bg-amber-50 ring-2 ring-amber-400" : ""}`}
      tabIndex={extras?.highlighted ? -1 : undefined}
      data-testid="message"
      data-focused={focused ? "true" : undefined}
      data-own={own ? "true" : "false"}
      data-state={message.state ?? undefined}
      data-seq={message.seq ?? undefined}
      data-deleted={message.deleted ? "true" : undefined}
      data-mentions-me={message.mentionsMe ? "true" : undefined}
      onContextMenu={(e) => {
        if (!actionable) return;
        e.preventDefault();
        setMenuOpen(true);
      }}
    >
      {withAvatar ? (
        <span className="mr-2 w-8 shrink-0 self-start">{showSender ? <Avatar name={senderName} seed={message.senderId ?? senderName} size="sm" /> : null}</span>
      ) : null}
      <div className={`max-w-[75%] ${own ? "items-end" : "items-start"} flex flex-col`}>
        {showSender ? (
          <span aria-hidden className="px-1 pb-0.5 text-[11px] font-medium text-slate-600" data-testid="sender-name">
            {senderName}
          </span>
        ) : null}
        {message.replyTo !== null && !message.deleted && extras ? (
          <ReplyQuote quoted={extras.quoted} author={extras.quotedAuthor} own={own} onJump={() => extras.onJump(message.replyTo!)} />
        ) : null}
        <div className={`flex items-center gap-1 ${own ? "flex-row-reverse" : ""}`}>
        <span className="sr-only">{t("bubble.senderPrefix", { name: own ? t("system.youSubject") : senderName })}</span>
        {message.deleted ? (
          <div className="rounded-2xl border border-dashed border-slate-300 px-3.5 py-2 text-sm text-slate-600 italic" data-testid="tombstone" title={when}>
            {t("bubble.deleted")}
          </div>
        ) : message.attachment ? (
          <AttachmentBubble message={message} corners={corners} when={when} />
        ) : (
          <div
            title={when}
            className={`rounded-2xl px-3 py-1.5 text-sm break-words whitespace-pre-wrap shadow-sm ${corners} ${
              own
                ? message.state === "failed"
                  ? "border border-red-200 bg-red-50 text-red-900"
                  : "bg-brand-600 text-white"
                : "border border-slate-200 bg-surface text-slate-900"
            }`}
          >
            <MentionText text={message.body} mentioned={mentioned} own={own} />
          </div>
        )}
        {actionable ? <MessageActions message={message} handlers={extras.handlers!} open={menuOpen} onOpenChange={setMenuOpen} /> : null}
        </div>
        {preview ? <LinkPreviewCard preview={preview} /> : null}
        {extras ? <ReactionsRow message={message} nameOf={extras.nameOf} onToggle={(emoji) => extras.handlers?.react(message, emoji)} /> : null}
        {/* The time of a run's inner messages: heard, and seen while the keyboard is in the message. */}
        {!run.last && !showState && !edited && !failed ? (
          <time dateTime={message.createdAt} className="sr-only text-[11px] text-slate-600 group-focus-within:not-sr-only group-focus-within:px-1" data-testid="message-time">
            {shortTime(message.createdAt, format)}
          </time>
        ) : null}
        {run.last || showState || edited || failed ? (
        <div className="mt-0.5 flex items-center gap-2 px-1 text-[11px] text-slate-600">
          <time dateTime={message.createdAt} className={run.last ? undefined : "sr-only group-focus-within:not-sr-only"} data-testid="message-time">
            {shortTime(message.createdAt, format)}
          </time>
          {edited ? (
            <span data-testid="edited" title={t("bubble.editedAt", { when: format.dateTime(new Date(message.editedAt!), { dateStyle: "medium", timeStyle: "short" }) })}>
              {t("bubble.edited")}
            </span>
          ) : null}
          {showState && group ? (
            <GroupReceipt message={message} receipts={receiptsOf(message)} onOpen={group.onReaders} />
          ) : showState && message.state ? (
            <MessageStateLabel state={message.state} />
          ) : null}
          {own && message.state === "failed" ? (
            <Button variant="danger" size="sm" className="!px-2 !py-0.5" onClick={() => onRetry(message.clientMsgId)}>
              {t("bubble.retry")}
            </Button>
          ) : null}
          {own && message.state === "failed" && message.attachment ? <RemoveButton clientMsgId={message.clientMsgId} /> : null}
        </div>
        ) : null}
        {own && message.state === "failed" && message.error ? (
          <p className="px-1 text-[11px] text-red-600" data-testid="failure">
            {message.attachment
              ? attachmentFailureText(message.error, message.attachment, t)
              : message.error.code === ClientErrorCode.AckTimeout
                ? t("attachments.ackTimeout")
                : errorText(message.error)}
          </p>
        ) : null}
      </div>
    </li>
  );
}

/** A photo or file card, its caption under it, and while it uploads the progress and Cancel. */
function AttachmentBubble({ message, corners, when }: { message: ChatMessage; corners: string; when: string }) {
  const a = message.attachment!;
  return (
    <div
      title={when}
      className={`rounded-2xl border p-1.5 shadow-sm ${message.state === "failed" ? "border-red-200 bg-red-50" : "border-slate-200 bg-surface"} ${corners}`}
      data-kind={a.kind}
    >
      {a.kind === "image" ? <ImageAttachment attachment={a} clientMsgId={message.clientMsgId} /> : <FileCard attachment={a} downloadable={message.seq !== null} />}
      {message.body ? <p className="px-2 pt-1.5 pb-0.5 text-sm break-words whitespace-pre-wrap text-slate-900">{message.body}</p> : null}
      {message.upload && message.state === "sending" ? <UploadStatus upload={message.upload} name={a.name} clientMsgId={message.clientMsgId} /> : null}
    </div>
  );
}

function RemoveButton({ clientMsgId }: { clientMsgId: string }) {
  const actions = useAttachmentActions();
  const t = useTranslations("bubble");
  return (
    <Button variant="secondary" size="sm" className="!px-2 !py-0.5" onClick={() => actions.discard(clientMsgId)}>
      {t("remove")}
    </Button>
  );
}
