import type { Translator } from "@/i18n";
import type { GroupReceipts } from "./group-client";

/** "Read by 2 of 5" / "Delivered to 3 of 5" (k of n) for an own group message. */
export function receiptText(receipts: GroupReceipts, t: Translator): string {
  if (receipts.read > 0) return t("receipts.readBy", { count: receipts.read, of: receipts.of });
  if (receipts.delivered > 0) return t("receipts.deliveredTo", { count: receipts.delivered, of: receipts.of });
  return t("receipts.sent");
}
