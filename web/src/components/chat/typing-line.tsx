import { typingText } from "@/lib/presence-text";

/** "Ana is typing…" above the composer; a polite live region that is always there, so changes are read out. */
export function TypingLine({ names }: { names: readonly string[] }) {
  const text = typingText(names);
  return (
    <p aria-live="polite" data-testid="typing" className="h-5 truncate bg-slate-50 px-4 text-xs text-slate-600 italic">
      {text ?? ""}
    </p>
  );
}
