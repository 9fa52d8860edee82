/**
 * What each role may do in a group (docs/protocol.md, "Group rules"). Pure checks: each throws
 * the typed error of the rule it breaks.
 */
import { AppError, ErrorCode, type MemberRole } from "@dim/shared";

const forbidden = (message: string) => new AppError(ErrorCode.Forbidden, message);

/** Adding members and renaming: owner and admins. */
export function requireManager(role: MemberRole, what: string): void {
  if (role === "member") throw forbidden(`only the owner and admins can ${what}`);
}

/** Role changes and handing over: the owner alone. */
export function requireOwner(role: MemberRole, what: string): void {
  if (role !== "owner") throw forbidden(`only the owner can ${what}`);
}

/** The owner removes anyone but itself; an admin removes plain members; nobody removes the owner. */
export function requireMayRemove(actor: MemberRole, target: MemberRole): void {
  if (target === "owner") throw forbidden("nobody can remove the owner");
  if (actor === "owner") return;
  if (actor === "admin" && target === "member") return;
  throw forbidden(actor === "admin" ? "admins can remove plain members only" : "only the owner and admins can remove members");
}

/** A call that names yourself where another member is meant. */
export function requireNotSelf(me: string, userId: string, instead: string): void {
  if (me === userId) throw new AppError(ErrorCode.BadRequest, `you cannot do this to yourself; ${instead}`);
}
