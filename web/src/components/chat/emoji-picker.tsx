"use client";
import { useEffect, useRef, type ReactNode } from "react";
import { useLocaleChoice, useTranslations } from "@/i18n";
import { EmojiPicker, type EmojiPickerListCategoryHeaderProps, type EmojiPickerListEmojiProps, type EmojiPickerListRowProps } from "frimousse";

/** Where the picker's data comes from: the app's own origin (src/app/emojibase), never a CDN. */
const EMOJIBASE_URL = "/emojibase";

/**
 * An emoji picker panel (frimousse, styled with the app's palette so both themes follow): the
 * search box takes the focus; typing filters, the arrow keys move through the grid, Enter picks,
 * a click or tap picks, Escape or a press outside closes it (the owner puts the focus back).
 */
export function EmojiPanel({
  label,
  onPick,
  onClose,
  className = "",
  children,
}: {
  label: string;
  onPick: (emoji: string) => void;
  onClose: () => void;
  className?: string;
  /** Shown above the search (e.g. a title). */
  children?: ReactNode;
}) {
  const panel = useRef<HTMLDivElement>(null);
  const t = useTranslations("emoji");
  // Names, tags and categories in the app's language (emojibase's "zh" for zh-CN).
  const locale = useLocaleChoice().locale === "zh-CN" ? "zh" : "en";
  useEffect(() => {
    const outside = (e: PointerEvent) => {
      if (!panel.current?.contains(e.target as Node)) onClose();
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [onClose]);

  return (
    <div
      ref={panel}
      role="dialog"
      aria-label={label}
      data-testid="emoji-picker"
      // Which input moves the active emoji: only the keyboard's scrolls it into view (Emoji).
      onPointerMove={() => panel.current?.setAttribute("data-input", "pointer")}
      onKeyDown={(e) => {
        panel.current?.setAttribute("data-input", "keyboard");
        if (e.key !== "Escape") return;
        e.preventDefault();
        e.stopPropagation();
        onClose();
      }}
      className={`rounded-lg border border-slate-200 bg-surface p-2 text-slate-900 shadow-lg ${className}`}
    >
      {children}
      <EmojiPicker.Root locale={locale} emojibaseUrl={EMOJIBASE_URL} columns={8} onEmojiSelect={({ emoji }) => onPick(emoji)} className="flex h-72 w-full flex-col">
        <EmojiPicker.Search
          autoFocus
          aria-label={t("search")}
          placeholder={t("searchPlaceholder")}
          className="mb-2 w-full rounded-md border border-slate-300 bg-surface px-2.5 py-1.5 text-sm text-slate-900 placeholder:text-slate-500 focus:border-brand-500 focus:outline-2 focus:outline-offset-0 focus:outline-brand-500/30"
        />
        <EmojiPicker.Viewport tabIndex={0} aria-label={t("grid")} className="relative min-h-0 flex-1 rounded focus:outline-2 focus:outline-brand-500/40">
          <EmojiPicker.Loading className="absolute inset-0 flex items-center justify-center text-sm text-slate-600">{t("loading")}</EmojiPicker.Loading>
          <EmojiPicker.Empty className="absolute inset-0 flex items-center justify-center text-sm text-slate-600">{t("empty")}</EmojiPicker.Empty>
          <EmojiPicker.List className="select-none pb-1" components={{ CategoryHeader, Row, Emoji }} />
        </EmojiPicker.Viewport>
      </EmojiPicker.Root>
    </div>
  );
}

function CategoryHeader({ category, ...props }: EmojiPickerListCategoryHeaderProps) {
  return (
    <div {...props} className="bg-surface px-1 pb-1 pt-2 text-xs font-medium text-slate-600">
      {category.label}
    </div>
  );
}

/** ARIA counts rows and columns from 1; frimousse numbers them from 0. */
function fromOne(index: unknown): number | undefined {
  return index === undefined ? undefined : Number(index) + 1;
}

function Row({ children, ...props }: EmojiPickerListRowProps) {
  return (
    <div {...props} aria-rowindex={fromOne(props["aria-rowindex"])} className="scroll-my-1 px-0.5">
      {children}
    </div>
  );
}

function Emoji({ emoji, ...props }: EmojiPickerListEmojiProps) {
  const ref = useRef<HTMLButtonElement>(null);
  // frimousse scrolls to the keyboard's row by its (0-based) aria-rowindex, which fromOne moved:
  // the active emoji scrolls itself into view instead.
  useEffect(() => {
    if (emoji.isActive && ref.current?.closest('[data-input="keyboard"]')) ref.current.scrollIntoView({ block: "nearest" });
  }, [emoji.isActive]);
  return (
    <button
      {...props}
      ref={ref}
      aria-colindex={fromOne(props["aria-colindex"])}
      data-testid="emoji-option"
      className="flex aspect-square size-9 items-center justify-center rounded-md text-xl data-[active]:bg-slate-100 data-[active]:ring-1 data-[active]:ring-brand-500"
    >
      {emoji.emoji}
    </button>
  );
}
