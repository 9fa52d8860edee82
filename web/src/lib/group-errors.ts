/**
 * A refused group change in words, by its typed code (docs/protocol.md §16.2): what the person
 * can do about it rather than the server's terse sentence.
 */
import { ErrorCode } from "@dim/shared";
import { friendlyMessage, sentence, type ShownError } from "./errors";

export type GroupAction = "create" | "add" | "remove" | "leave" | "rename" | "role" | "transfer";

export function groupErrorText(error: ShownError, action: GroupAction): string {
  switch (error.code) {
    case ErrorCode.Forbidden:
      if (action === "create" || action === "add") return "You can only add people who are your contacts.";
      return "You may not do that in this group (or you are no longer a member).";
    case ErrorCode.Conflict:
      if (action === "leave") return "You are the owner: make someone else the owner before you leave.";
      return sentence(error.message);
    case ErrorCode.NotFound:
      return "They are no longer a member of this group.";
    case ErrorCode.LimitExceeded:
    case ErrorCode.BadRequest:
      return sentence(error.message);
    default:
      return friendlyMessage(error);
  }
}
