import type { GroupReceipts } from "./group-client";

/** "Read by 2 of 5" / "Delivered to 3 of 5" (k of n) for an own group message. */
export function receiptText(receipts: GroupReceipts): string {
  if (receipts.read > 0) return `Read by ${receipts.read} of ${receipts.of}`;
  if (receipts.delivered > 0) return `Delivered to ${receipts.delivered} of ${receipts.of}`;
  return "Sent";
}
