"use client";
import type { ReactNode } from "react";
import type { ConversationSummary } from "@dim/shared";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";

/** The open conversation's title; for a group, a button with its member count that opens the member panel. */
export function ChatHeader(props: {
  summary: ConversationSummary;
  title: string;
  memberCount: number;
  onBack: () => void;
  onMembers: () => void;
  /** Controls at the end of the header (the jump menu). */
  actions?: ReactNode;
  /** A 1:1 peer's "online" / "last seen …" line, or null. */
  presence?: string | null;
}) {
  const { summary, title } = props;
  const t = useTranslations("chatHeader");
  const group = summary.kind === "group";
  const subtitle = group
    ? summary.membership === "active"
      ? t("members", { count: props.memberCount })
      : summary.membership === "removed"
        ? t("removed")
        : t("left")
    : summary.peer
      ? props.presence
        ? t("peerWithPresence", { username: summary.peer.username, presence: props.presence })
        : `@${summary.peer.username}`
      : null;
  const heading = (
    <>
      <Avatar name={title} seed={summary.peer?.id ?? summary.id} shape={group ? "group" : "person"} src={summary.peer?.avatarUrl ?? null} />
      <span className="min-w-0 text-left">
        <h2 className="truncate text-base font-semibold text-slate-900" data-testid="chat-title">
          {title}
        </h2>
        {/* A space between the two lines, so their words stay apart in the button's visible text. */}{" "}
        {subtitle ? (
          <span className="block truncate text-xs text-slate-500" data-testid="chat-subtitle" data-presence={props.presence ?? undefined}>
            {subtitle}
          </span>
        ) : null}
      </span>
    </>
  );
  return (
    <header className="flex items-center gap-3 border-b border-slate-200 bg-surface px-3 py-3 sm:px-4">
      <Button variant="ghost" size="sm" className="md:hidden" onClick={props.onBack} aria-label={t("back")}>
        ←
      </Button>
      {group ? (
        <button
          type="button"
          onClick={props.onMembers}
          aria-haspopup="dialog"
          data-testid="group-header"
          className="-my-1 flex min-w-0 items-center gap-3 rounded-md px-1 py-1 hover:bg-slate-100"
        >
          {heading}
          <span className="sr-only">{t("showMembers")}</span>
        </button>
      ) : (
        <div className="flex min-w-0 items-center gap-3">{heading}</div>
      )}
      {props.actions}
    </header>
  );
}
