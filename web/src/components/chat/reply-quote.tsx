"use client";
import type { ChatMessage } from "@dim/client";
import { useTranslations, type Translator } from "@/i18n";

/** The first line of a message for a quote ("Photo" / the file name for an attachment without caption). */
export function snippetOf(message: ChatMessage | undefined, t: Translator): string {
  if (!message) return t("quote.earlier");
  if (message.deleted) return t("bubble.deleted");
  const line = message.body.split("\n").find((l) => l.trim()) ?? "";
  if (line) return line.length > 120 ? `${line.slice(0, 119)}…` : line;
  if (message.attachment) return message.attachment.kind === "image" ? t("attachments.photo") : message.attachment.name;
  return "";
}

/**
 * Above a reply: who wrote the quoted message and its first line. A button: it scrolls to the
 * quoted message (loading earlier history when it is not held yet).
 */
export function ReplyQuote({
  quoted,
  author,
  own,
  onJump,
}: {
  quoted: ChatMessage | undefined;
  author: string | null;
  own: boolean;
  onJump: () => void;
}) {
  const t = useTranslations();
  return (
    <button
      type="button"
      onClick={onJump}
      data-testid="reply-quote"
      className={`mb-0.5 max-w-full truncate rounded-lg border-l-4 border-brand-500 bg-slate-100 px-2.5 py-1 text-left text-xs text-slate-700 hover:bg-slate-200 ${own ? "self-end" : "self-start"}`}
    >
      {/* The visible text is the name (WCAG 2.5.3); what the button does is said around it. */}
      <span className="sr-only">{t("quote.replyTo")}</span>
      {author ? <span className="block font-semibold text-slate-800">{author}</span> : null}
      <span className="block truncate">{snippetOf(quoted, t)}</span>
      <span className="sr-only">{t("quote.show")}</span>
    </button>
  );
}
