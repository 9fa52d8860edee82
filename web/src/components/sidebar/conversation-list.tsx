import type { KeyboardEvent, ReactNode } from "react";
import { MessageStateLabel } from "@/components/chat/message-state";
import { Avatar } from "@/components/ui/avatar";
import type { ConversationView } from "@/lib/conversation-view";
import { useFormatter, useTranslations, type Translator } from "@/i18n";
import { shortTime } from "@/lib/format";
import { SidebarSection } from "./section";

/** Arrow keys, Home and End move between conversations (Tab leaves the list). */
function onListKeyDown(event: KeyboardEvent<HTMLUListElement>) {
  const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>("button[data-testid='conversation']")];
  const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
  let next: number | null = null;
  if (event.key === "ArrowDown") next = index < 0 ? 0 : Math.min(buttons.length - 1, index + 1);
  else if (event.key === "ArrowUp") next = index < 0 ? 0 : Math.max(0, index - 1);
  else if (event.key === "Home") next = 0;
  else if (event.key === "End") next = buttons.length - 1;
  if (next === null || !buttons[next]) return;
  event.preventDefault();
  buttons[next]?.focus();
}


/**
 * What a screen reader hears beyond the row's visible text (which stays its name, WCAG 2.5.3):
 * the kind of conversation.
 */
function rowKind(c: ConversationView, t: Translator<"conversations">): string | null {
  if (c.kind !== "group") return null;
  return c.membership !== "active" ? t("formerGroup") : t("groupOf", { count: c.memberCount });
}

export function ConversationList(props: { views: ConversationView[]; selectedId: string | null; onSelect: (id: string) => void; loaded: boolean; action?: ReactNode }) {
  const t = useTranslations("conversations");
  const format = useFormatter();
  const former = (c: ConversationView) => (c.membership === "left" ? t("youLeft") : c.membership === "removed" ? t("removed") : null);
  const focusable = props.views.some((v) => v.id === props.selectedId) ? props.selectedId : props.views[0]?.id;
  return (
    <SidebarSection title={t("title")} action={props.action}>
      {props.loaded && props.views.length === 0 ? (
        <p className="px-4 py-2 text-sm text-slate-500">{t("empty")}</p>
      ) : null}
      <ul className="px-2" aria-label={t("listLabel")} onKeyDown={onListKeyDown}>
        {props.views.map((c) => {
          const selected = c.id === props.selectedId;
          return (
            <li key={c.id}>
              <button
                type="button"
                onClick={() => props.onSelect(c.id)}
                aria-current={selected ? "true" : undefined}
                // One tab stop for the list; arrows move inside it.
                tabIndex={c.id === focusable ? 0 : -1}
                data-testid="conversation"
                data-conversation-id={c.id}
                data-kind={c.kind}
                data-membership={c.membership}
                className={`flex w-full items-center gap-3 rounded-md px-2 py-2 text-left ${selected ? "bg-brand-100/70" : "hover:bg-slate-100"}`}
              >
                <Avatar name={c.title} seed={c.peer?.id ?? c.id} shape={c.kind === "group" ? "group" : "person"} src={c.peer?.avatarUrl ?? null} />
                <span className="min-w-0 flex-1">
                  <span className="flex items-baseline gap-2">
                    <span className={`truncate text-sm ${c.unreadCount > 0 ? "font-semibold text-slate-900" : "font-medium text-slate-800"}`}>{c.title}</span>
                    {rowKind(c, t) ? <span className="sr-only">{rowKind(c, t)}</span> : null}
                    {former(c) ? (
                      <span className="shrink-0 rounded bg-slate-100 px-1 py-px text-[10px] font-medium text-slate-600" data-testid="former-group">
                        {former(c)}
                      </span>
                    ) : null}
                    {c.preview ? <span className="ml-auto shrink-0 text-[11px] text-slate-600">{shortTime(c.preview.createdAt, format)}</span> : null}
                  </span>
                  <span className="flex items-center gap-2">
                    <span className={`truncate text-xs ${c.unreadCount > 0 ? "text-slate-700" : "text-slate-600"}`}>
                      {c.preview ? (
                        <>
                          {c.preview.own && c.preview.state ? (
                            <span className="mr-1">
                              <MessageStateLabel state={c.preview.state} compact />
                            </span>
                          ) : null}
                          {c.preview.system ? null : c.preview.own ? t("youPrefix") : c.preview.sender ? t("senderPrefix", { name: c.preview.sender }) : ""}
                          <span className={c.preview.system ? "italic" : undefined}>{c.preview.body}</span>
                        </>
                      ) : (
                        <span className="italic">{t("noMessages")}</span>
                      )}
                    </span>
                    {c.unreadMentions > 0 ? (
                      <span
                        className="ml-auto flex h-4 min-w-4 shrink-0 items-center justify-center rounded-full bg-amber-50 px-1 text-[11px] leading-none font-bold text-amber-900 ring-1 ring-amber-200"
                        data-testid="mention-marker"
                        title={t("mentioned")}
                      >
                        <span aria-hidden>@</span>
                        <span className="sr-only">{t("mentioned")}</span>
                      </span>
                    ) : null}
                    {c.unreadCount > 0 ? (
                      <span className={`${c.unreadMentions > 0 ? "" : "ml-auto "}shrink-0 rounded-full bg-brand-600 px-1.5 py-0.5 text-[10px] leading-none font-bold text-white`} data-testid="unread-count">
                        <span className="sr-only">{t("unread")}</span>
                        {c.unreadCount > 99 ? "99+" : c.unreadCount}
                      </span>
                    ) : null}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </SidebarSection>
  );
}
