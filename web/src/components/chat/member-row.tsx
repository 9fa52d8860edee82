"use client";
import type { GroupMember, MemberRole } from "@dim/shared";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";
import { memberActions } from "@/lib/group-permissions";

/** What a member row asks the panel to do (the panel confirms the destructive ones). */
export type MemberCommand = { kind: "remove" | "transfer"; member: GroupMember } | { kind: "role"; member: GroupMember; role: "admin" | "member" };

export function MemberRow(props: { member: GroupMember; meId: string; myRole: MemberRole | null; busy: string | null; onCommand: (c: MemberCommand) => void }) {
  const { member } = props;
  const t = useTranslations("members");
  const isMe = member.user.id === props.meId;
  const can = memberActions(props.myRole, { role: member.role, isMe });
  const name = member.user.displayName;
  const busy = props.busy !== null;
  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2" data-testid="member" data-username={member.user.username} data-role={member.role}>
      <Avatar name={name} seed={member.user.id} size="sm" src={member.user.avatarUrl} />
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium text-slate-900">
          {name}
          {isMe ? <span className="font-normal text-slate-500">{t("you")}</span> : null}
        </p>
        <p className="truncate text-xs text-slate-500">@{member.user.username}</p>
      </div>
      {member.role !== "member" ? (
        <span className={`rounded px-1.5 py-0.5 text-[11px] font-semibold ${member.role === "owner" ? "bg-brand-100 text-brand-700 dark:text-white" : "bg-slate-100 text-slate-700"}`}>
          {t("role", { role: member.role })}
        </span>
      ) : null}
      {can.makeAdmin || can.makeMember || can.transfer || can.remove ? (
        <div className="flex w-full flex-wrap justify-end gap-1.5 sm:w-auto" role="group" aria-label={t("actionsFor", { name })}>
          {can.makeAdmin ? (
            <Button size="sm" variant="secondary" disabled={busy} onClick={() => props.onCommand({ kind: "role", member, role: "admin" })}>
              {t("makeAdmin")}
            </Button>
          ) : null}
          {can.makeMember ? (
            <Button size="sm" variant="secondary" disabled={busy} onClick={() => props.onCommand({ kind: "role", member, role: "member" })}>
              {t("makeMember")}
            </Button>
          ) : null}
          {can.transfer ? (
            <Button size="sm" variant="secondary" disabled={busy} onClick={() => props.onCommand({ kind: "transfer", member })}>
              {t("makeOwner")}
            </Button>
          ) : null}
          {can.remove ? (
            <Button size="sm" variant="danger" disabled={busy} onClick={() => props.onCommand({ kind: "remove", member })} aria-label={t("removeLabel", { name })}>
              {t("remove")}
            </Button>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
