/**
 * What the viewer's role lets it do to a member, as docs/protocol.md §16.2 rules it (the server
 * decides; the UI only offers what would be allowed, and shows the server's error otherwise).
 */
import type { MemberRole } from "@dim/shared";

export interface MemberActions {
  remove: boolean;
  makeAdmin: boolean;
  makeMember: boolean;
  transfer: boolean;
}

const NONE: MemberActions = { remove: false, makeAdmin: false, makeMember: false, transfer: false };

export function memberActions(myRole: MemberRole | null, target: { role: MemberRole; isMe: boolean }): MemberActions {
  if (target.isMe || myRole === null || myRole === "member" || target.role === "owner") return NONE;
  if (myRole === "admin") return { ...NONE, remove: target.role === "member" };
  return { remove: true, makeAdmin: target.role === "member", makeMember: target.role === "admin", transfer: true };
}

/** Adding people and renaming: owner and admins. */
export function canManage(myRole: MemberRole | null): boolean {
  return myRole === "owner" || myRole === "admin";
}

