"use client";
import { Avatar } from "@/components/ui/avatar";
import { useTranslations } from "@/i18n";
import { MENTION_ALL, type MentionCandidate } from "@/lib/mentions";

/** One entry of the autocomplete: a member, or everyone (`@all`, owners and admins). */
export type MentionOption = { kind: "member"; member: MentionCandidate } | { kind: "all" };

export const optionKey = (o: MentionOption): string => (o.kind === "all" ? "all" : o.member.id);

/**
 * The `@` autocomplete above the composer: a listbox the textarea drives (aria-activedescendant:
 * the focus stays in the text). Mouse and touch pick with a press; the press does not take the
 * focus from the textarea.
 */
export function MentionPicker(props: { id: string; options: readonly MentionOption[]; active: number; onPick: (o: MentionOption) => void; onHover: (i: number) => void }) {
  const t = useTranslations("composer");
  return (
    <ul
      id={props.id}
      role="listbox"
      aria-label={t("mentionList")}
      data-testid="mention-picker"
      className="absolute bottom-full left-0 z-30 mb-1 max-h-64 w-72 max-w-[calc(100vw-2rem)] overflow-y-auto rounded-lg border border-slate-200 bg-surface py-1 shadow-lg"
    >
      {props.options.map((o, i) => (
        <li
          key={optionKey(o)}
          id={`${props.id}-${i}`}
          role="option"
          aria-selected={i === props.active}
          data-testid="mention-option"
          data-username={o.kind === "all" ? "all" : o.member.username}
          onMouseDown={(e) => e.preventDefault()}
          onMouseEnter={() => props.onHover(i)}
          onClick={() => props.onPick(o)}
          className={`flex cursor-pointer items-center gap-2 px-3 py-1.5 text-sm ${i === props.active ? "bg-brand-100 text-slate-900" : "text-slate-800"}`}
        >
          {o.kind === "all" ? (
            <>
              <span aria-hidden className="flex h-6 w-6 items-center justify-center rounded-full bg-slate-200 text-xs font-bold text-slate-700">
                @
              </span>
              <span className="min-w-0 flex-1 truncate font-medium">{`@${MENTION_ALL}`}</span>
              <span className="shrink-0 text-xs text-slate-600">{t("mentionAll")}</span>
            </>
          ) : (
            <>
              <Avatar name={o.member.displayName} seed={o.member.id} size="xs" />
              <span className="min-w-0 flex-1 truncate font-medium">{o.member.displayName}</span>
              <span className="shrink-0 text-xs text-slate-600">@{o.member.username}</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
