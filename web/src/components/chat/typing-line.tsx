"use client";
import { useTranslations } from "@/i18n";
import { typingText } from "@/lib/presence-text";

/** "Ana is typing…" above the composer; a polite live region that is always there, so changes are read out. */
export function TypingLine({ names }: { names: readonly string[] }) {
  const t = useTranslations();
  const text = typingText(names, t);
  return (
    <p aria-live="polite" data-testid="typing" className="h-5 truncate bg-slate-50 px-4 text-xs text-slate-600 italic">
      {text ?? ""}
    </p>
  );
}
