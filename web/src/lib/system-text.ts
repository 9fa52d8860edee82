/**
 * System messages of a group in words: "Ana added Ben and Cy", "You left", "Ana made Ben an
 * admin". The actor is the message's sender; names come from whatever the app knows (members,
 * contacts), "Someone" when it knows none.
 */
import type { SystemEvent } from "@dim/shared";
import type { Translator } from "@/i18n";

export type NameOf = (userId: string) => string | undefined;

export interface SystemTextContext {
  meId: string;
  nameOf: NameOf;
}

/** "Ben", "Ben and Cy", "Ben, Cy and Dan", "Ben, Cy and 3 others". */
export function nameList(names: string[], t: Translator): string {
  if (names.length === 0) return t("system.nobody");
  if (names.length === 1) return names[0]!;
  if (names.length === 2) return t("system.list2", { first: names[0]!, second: names[1]! });
  if (names.length === 3) return t("system.list3", { first: names[0]!, second: names[1]!, third: names[2]! });
  return t("system.listMore", { first: names[0]!, second: names[1]!, others: names.length - 2 });
}

export function systemText(event: SystemEvent, actorId: string | null, ctx: SystemTextContext, t: Translator): string {
  const who = (id: string | null, you: string) => (id === null ? t("system.someone") : id === ctx.meId ? you : (ctx.nameOf(id) ?? t("system.someone")));
  const actor = who(actorId, t("system.youSubject"));
  /** A user the sentence is about: "you" in the middle of a sentence. */
  const target = (id: string) => who(id, t("system.youObject"));
  switch (event.type) {
    case "group.created":
      return t("system.created", { actor, title: event.title });
    case "members.added": {
      // Me first when I am among them: "Ana added you and Ben".
      const ids = [...event.userIds].sort((a, b) => Number(b === ctx.meId) - Number(a === ctx.meId));
      return t("system.added", { actor, names: nameList(ids.map(target), t) });
    }
    case "member.removed":
      if (event.userId === ctx.meId) return actorId === null ? t("system.youWereRemoved") : t("system.youWereRemovedBy", { actor });
      return t("system.removed", { actor, target: target(event.userId) });
    case "member.left":
      return t("system.left", { actor });
    case "group.renamed":
      return t("system.renamed", { actor, title: event.title });
    case "role.changed":
      return t("system.roleChanged", { actor, target: target(event.userId), role: event.role === "admin" ? "admin" : "member" });
    case "owner.transferred":
      return t("system.ownerTransferred", { actor, target: target(event.userId) });
  }
}
