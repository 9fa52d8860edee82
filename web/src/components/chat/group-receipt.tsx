import type { ChatMessage } from "@dim/client";
import type { GroupReceipts } from "@/lib/group-client";
import { useTranslations } from "@/i18n";
import { receiptText } from "@/lib/receipt-text";
import { MessageStateLabel } from "./message-state";

/** An own group message's receipts (k of n; its state when the client gives no counts), as a button that opens who has read it. */
export function GroupReceipt({ message, receipts, onOpen }: { message: ChatMessage; receipts: GroupReceipts | null; onOpen: (seq: number) => void }) {
  const seq = message.seq;
  const t = useTranslations();
  const label = receipts ? <span data-state={message.state ?? undefined}>{receiptText(receipts, t)}</span> : message.state ? <MessageStateLabel state={message.state} /> : null;
  if (seq === null || message.state === "failed" || message.state === "sending") return label;
  return (
    <button
      type="button"
      onClick={() => onOpen(seq)}
      className={`rounded px-0.5 underline-offset-2 hover:underline ${message.state === "read" ? "text-brand-600" : "text-slate-500"}`}
      data-testid="receipts"
      aria-haspopup="dialog"
      aria-label={t("receipts.seeWho", { what: receipts ? receiptText(receipts, t) : message.state ? t(`messageState.${message.state}`) : "" })}
    >
      {label}
    </button>
  );
}
