/**
 * A refused group change in words, by its typed code (docs/protocol.md §16.2): what the person
 * can do about it rather than the server's terse sentence.
 */
import { ErrorCode } from "@dim/shared";
import type { Translator } from "@/i18n";
import { friendlyMessage, type ShownError } from "./errors";

export type GroupAction = "create" | "add" | "remove" | "leave" | "rename" | "role" | "transfer";

export function groupErrorText(error: ShownError, action: GroupAction, t: Translator<"errors">): string {
  switch (error.code) {
    case ErrorCode.Forbidden:
      if (action === "create" || action === "add") return t("group.onlyContacts");
      return t("group.notAllowed");
    case ErrorCode.Conflict:
      if (action === "leave") return t("group.ownerLeaves");
      if (action === "rename") return t("group.sameTitle");
      return friendlyMessage(error, t);
    case ErrorCode.NotFound:
      return t("group.notMember");
    case ErrorCode.LimitExceeded:
      if (error.limit === undefined) return friendlyMessage(error, t);
      return action === "create" || action === "add" ? t("group.limit", { limit: error.limit }) : friendlyMessage(error, t);
    default:
      return friendlyMessage(error, t);
  }
}
