import { mentionParts, type MentionPart } from "@/lib/mentions";
import { LinkedText } from "./linked-text";

/** Who a message mentions, by username (what its `@tokens` say), and whether it mentions everyone. */
export interface MentionedNames {
  usernames: ReadonlySet<string>;
  all: boolean;
  myUsername: string | null;
}

/**
 * A body with its mentions marked: the users the message mentions (its ids, not any `@word`),
 * my own name (or @all) more strongly. The rest is LinkedText. Colours hold in both themes (the
 * amber tints are re-mapped by the dark one).
 */
export function MentionText({ text, mentioned, own }: { text: string; mentioned: MentionedNames | null; own: boolean }) {
  const parts: MentionPart[] = mentioned ? mentionParts(text, mentioned) : [{ kind: "text", text }];
  return (
    <>
      {parts.map((p, i) =>
        p.kind === "text" ? (
          <LinkedText key={i} text={p.text} />
        ) : (
          <span
            key={i}
            data-testid="mention"
            data-me={p.me ? "true" : undefined}
            className={
              own
                ? `font-semibold underline decoration-white/70 underline-offset-2 ${p.me ? "rounded bg-white/20 px-0.5" : ""}`
                : p.me
                  ? "rounded bg-amber-50 px-0.5 font-semibold text-amber-900 ring-1 ring-amber-200"
                  : "font-semibold text-brand-700 dark:text-sky-300"
            }
          >
            {p.text}
          </span>
        ),
      )}
    </>
  );
}
