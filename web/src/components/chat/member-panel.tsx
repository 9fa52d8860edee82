"use client";
import { useEffect, useRef, useState } from "react";
import type { ConversationSummary, GroupMember, PublicUser } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useGroupActions } from "@/hooks/use-group-actions";
import { useTranslations } from "@/i18n";
import { canManage } from "@/lib/group-permissions";
import { AddMembers } from "./add-members";
import { MemberRow, type MemberCommand } from "./member-row";
import { RenameForm } from "./rename-form";

interface Confirming {
  question: string;
  confirm: string;
  run: () => Promise<boolean>;
}

/**
 * A group's members and what the viewer's role allows: rename, add contacts, change roles, hand
 * over ownership, remove, leave. Destructive changes are confirmed first; the server's refusal
 * (e.g. the owner leaving a group with others in it) is shown in words.
 */
export function MemberPanel(props: {
  open: boolean;
  onClose: () => void;
  summary: ConversationSummary;
  meId: string;
  members: GroupMember[];
  total: number;
  loaded: boolean;
  loadError: string | null;
  contacts: PublicUser[];
  onChanged: () => void;
}) {
  const { summary } = props;
  const t = useTranslations("members");
  const actions = useGroupActions(summary.id, props.onChanged);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  const active = summary.membership === "active";
  const myRole = summary.myRole;
  const inGroup = new Set(props.members.map((m) => m.user.id));
  const candidates = props.contacts.filter((u) => !inGroup.has(u.id));

  const command = (c: MemberCommand) => {
    const name = c.member.user.displayName;
    if (c.kind === "role") {
      void actions.setRole(c.member.user.id, c.role);
      return;
    }
    setConfirming(
      c.kind === "remove"
        ? { question: t("confirmRemove", { name, title: summary.title }), confirm: t("remove"), run: () => actions.remove(c.member.user.id) }
        : { question: t("confirmTransfer", { name }), confirm: t("makeOwner"), run: () => actions.transfer(c.member.user.id) },
    );
  };

  const close = () => {
    setConfirming(null);
    actions.clearError();
    props.onClose();
  };

  return (
    <Dialog open={props.open} onClose={close} title={summary.title} description={active ? t("count", { count: props.total || summary.memberCount }) : t("notMember")} testId="member-panel">
      {active && canManage(myRole) ? <RenameForm key={summary.title} title={summary.title} busy={actions.busy === "rename"} onRename={actions.rename} /> : null}
      {actions.error ? (
        <div className="px-4 pt-3">
          <Alert>{actions.error}</Alert>
        </div>
      ) : null}
      {confirming ? (
        <div role="alertdialog" aria-labelledby="confirm-question" className="mx-4 mt-3 rounded-md border border-amber-200 bg-amber-50 p-3">
          <p id="confirm-question" className="text-sm text-amber-900">
            {confirming.question}
          </p>
          <div className="mt-2 flex justify-end gap-2">
            <Button size="sm" variant="secondary" onClick={() => setConfirming(null)}>
              {t("cancel")}
            </Button>
            <Button
              ref={confirmButton}
              size="sm"
              variant="danger"
              disabled={actions.busy !== null}
              onClick={() => void confirming.run().then(() => setConfirming(null))}
            >
              {confirming.confirm}
            </Button>
          </div>
        </div>
      ) : null}
      {active ? (
        <>
          <h3 className="px-4 pt-3 text-xs font-semibold tracking-wide text-slate-500 uppercase">{t("heading")}</h3>
          {props.loadError && props.members.length === 0 ? (
            <div className="px-4 py-2">
              <Alert>{props.loadError}</Alert>
            </div>
          ) : null}
          {!props.loaded ? (
            <p role="status" className="px-4 py-2 text-sm text-slate-500">
              {t("loading")}
            </p>
          ) : null}
          <ul aria-label={t("heading")} className="divide-y divide-slate-100">
            {props.members.map((m) => (
              <MemberRow key={m.user.id} member={m} meId={props.meId} myRole={myRole} busy={actions.busy} onCommand={command} />
            ))}
          </ul>
          {canManage(myRole) ? <AddMembers candidates={candidates} busy={actions.busy === "add"} onAdd={actions.add} /> : null}
          <div className="border-t border-slate-200 px-4 py-3">
            <Button
              variant="danger"
              disabled={actions.busy !== null}
              onClick={() =>
                setConfirming({
                  question: myRole === "owner" && props.total > 1 ? t("confirmLeaveOwner") : t("confirmLeave", { title: summary.title }),
                  confirm: t("leave"),
                  run: actions.leave,
                })
              }
            >
              {t("leaveGroup")}
            </Button>
          </div>
        </>
      ) : (
        <p className="px-4 py-3 text-sm text-slate-600">{summary.membership === "removed" ? t("wasRemoved") : t("hasLeft")}</p>
      )}
    </Dialog>
  );
}
