/**
 * System messages of a group in words: "Ana added Ben and Cy", "You left", "Ana made Ben an
 * admin". The actor is the message's sender; names come from whatever the app knows (members,
 * contacts), "Someone" when it knows none.
 */
import type { SystemEvent } from "@dim/shared";

export type NameOf = (userId: string) => string | undefined;

export interface SystemTextContext {
  meId: string;
  nameOf: NameOf;
}

/** "Ben", "Ben and Cy", "Ben, Cy and Dan", "Ben, Cy and 3 others". */
export function nameList(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "nobody";
  if (names.length <= 3) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `${names.slice(0, 2).join(", ")} and ${names.length - 2} others`;
}

export function systemText(event: SystemEvent, actorId: string | null, ctx: SystemTextContext): string {
  const who = (id: string | null, you: string) => (id === null ? "Someone" : id === ctx.meId ? you : (ctx.nameOf(id) ?? "Someone"));
  const actor = who(actorId, "You");
  /** A user the sentence is about: "you" in the middle of a sentence. */
  const target = (id: string) => who(id, "you");
  switch (event.type) {
    case "group.created":
      return `${actor} created the group “${event.title}”`;
    case "members.added": {
      // Me first when I am among them: "Ana added you and Ben".
      const ids = [...event.userIds].sort((a, b) => Number(b === ctx.meId) - Number(a === ctx.meId));
      return `${actor} added ${nameList(ids.map(target))}`;
    }
    case "member.removed":
      if (event.userId === ctx.meId) return actorId === null ? "You were removed" : `You were removed by ${actor}`;
      return `${actor} removed ${target(event.userId)}`;
    case "member.left":
      return `${actor} left`;
    case "group.renamed":
      return `${actor} renamed the group to “${event.title}”`;
    case "role.changed":
      return `${actor} made ${target(event.userId)} ${event.role === "admin" ? "an admin" : "a member"}`;
    case "owner.transferred":
      return `${actor} transferred ownership to ${target(event.userId)}`;
  }
}
