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
import { LinkedText } from "./linked-text";
import { LinkPreviewCard } from "./link-preview-card";
import { useLinkPreview } from "@/hooks/use-link-preview";
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
  showSender: boolean;
  onReaders: (seq: number) => void;
}

export function MessageBubble({
  message,
  senderName,
  onRetry,
  group,
  focused = false,
  extras,
}: {
  message: ChatMessage;
  senderName: string;
  onRetry: (clientMsgId: string) => void;
  group?: GroupBubble | undefined;
  /** Jumped to (a search result, a date, the first unread): briefly outlined. */
  focused?: boolean;
  extras?: BubbleExtras | undefined;
}) {
  const t = useTranslations();
  const format = useFormatter();
  const errorText = useErrorText();
  const own = message.own;
  const withAvatar = group && !own;
  const [menuOpen, setMenuOpen] = useState(false);
  const actionable = extras?.handlers && message.seq !== null;
  const item = useRef<HTMLLIElement>(null);
  const preview = useLinkPreview(message, item);
  return (
    <li
      ref={item}
      className={`group flex scroll-mt-16 rounded-lg transition-colors ${own ? "justify-end" : "justify-start"} ${focused ? "ring-2 ring-brand-500 ring-offset-2" : ""} ${extras?.highlighted ? "bg-amber-50 ring-2 ring-amber-400" : ""}`}
      tabIndex={extras?.highlighted ? -1 : undefined}
      data-testid="message"
      data-focused={focused ? "true" : undefined}
      data-own={own ? "true" : "false"}
      data-state={message.state ?? undefined}
      data-seq={message.seq ?? undefined}
      data-deleted={message.deleted ? "true" : undefined}
      onContextMenu={(e) => {
        if (!actionable) return;
        e.preventDefault();
        setMenuOpen(true);
      }}
    >
      {withAvatar ? (
        <span className="mr-2 w-8 shrink-0 self-end pb-5">{group.showSender ? <Avatar name={senderName} seed={message.senderId ?? senderName} size="sm" /> : null}</span>
      ) : null}
      <div className={`max-w-[75%] ${own ? "items-end" : "items-start"} flex flex-col`}>
        {withAvatar && group.showSender ? (
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
          <div className="rounded-2xl border border-dashed border-slate-300 px-3.5 py-2 text-sm text-slate-600 italic" data-testid="tombstone">
            {t("bubble.deleted")}
          </div>
        ) : message.attachment ? (
          <AttachmentBubble message={message} />
        ) : (
          <div
            className={`rounded-2xl px-3.5 py-2 text-sm break-words whitespace-pre-wrap shadow-sm ${
              own
                ? message.state === "failed"
                  ? "rounded-br-md border border-red-200 bg-red-50 text-red-900"
                  : "rounded-br-md bg-brand-600 text-white"
                : "rounded-bl-md border border-slate-200 bg-surface text-slate-900"
            }`}
          >
            <LinkedText text={message.body} />
          </div>
        )}
        {actionable ? <MessageActions message={message} handlers={extras.handlers!} open={menuOpen} onOpenChange={setMenuOpen} /> : null}
        </div>
        {preview ? <LinkPreviewCard preview={preview} /> : null}
        {extras ? <ReactionsRow message={message} nameOf={extras.nameOf} onToggle={(emoji) => extras.handlers?.react(message, emoji)} /> : null}
        <div className="mt-0.5 flex items-center gap-2 px-1 text-[11px] text-slate-600">
          <time dateTime={message.createdAt}>{shortTime(message.createdAt, format)}</time>
          {message.editedAt && !message.deleted ? (
            <span data-testid="edited" title={t("bubble.editedAt", { when: format.dateTime(new Date(message.editedAt), { dateStyle: "medium", timeStyle: "short" }) })}>
              {t("bubble.edited")}
            </span>
          ) : null}
          {own && group ? (
            <GroupReceipt message={message} receipts={receiptsOf(message)} onOpen={group.onReaders} />
          ) : own && message.state ? (
            <MessageStateLabel state={message.state} />
          ) : null}
          {own && message.state === "failed" ? (
            <Button variant="danger" size="sm" className="!px-2 !py-0.5" onClick={() => onRetry(message.clientMsgId)}>
              {t("bubble.retry")}
            </Button>
          ) : null}
          {own && message.state === "failed" && message.attachment ? <RemoveButton clientMsgId={message.clientMsgId} /> : null}
        </div>
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
function AttachmentBubble({ message }: { message: ChatMessage }) {
  const a = message.attachment!;
  return (
    <div
      className={`rounded-2xl border p-1.5 shadow-sm ${message.state === "failed" ? "border-red-200 bg-red-50" : "border-slate-200 bg-surface"} ${message.own ? "rounded-br-md" : "rounded-bl-md"}`}
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
