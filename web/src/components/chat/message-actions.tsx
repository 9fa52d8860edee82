"use client";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { ChatMessage } from "@dim/client";
import { useTranslations } from "@/i18n";
import { EmojiPanel } from "./emoji-picker";

/** The fixed palette offered in the menu (any single emoji is valid on the wire). */
export const REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;

/** What can be done to one message; the list and the bubble call these. */
export interface MessageHandlers {
  reply: (message: ChatMessage) => void;
  edit: (message: ChatMessage) => void;
  deleteForEveryone: (message: ChatMessage) => void;
  deleteForMe: (message: ChatMessage) => void;
  react: (message: ChatMessage, emoji: string) => void;
}

/**
 * The "More" button of a stored message and its menu (also opened by the bubble's context menu):
 * reactions, Reply, Edit, Delete for me, Delete for everyone (asked twice). Arrow keys move in
 * it, Esc closes it and gives the focus back to the button. A tombstone offers Delete for me only.
 */
export function MessageActions({
  message,
  handlers,
  open,
  onOpenChange,
}: {
  message: ChatMessage;
  handlers: MessageHandlers;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const t = useTranslations("messageActions");
  const [confirming, setConfirming] = useState(false);
  /** "More reactions…": the emoji picker takes the menu's place. */
  const [picking, setPicking] = useState(false);
  const te = useTranslations("emoji");
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const own = message.own;
  const live = !message.deleted;

  useEffect(() => {
    if (!open) {
      setConfirming(false);
      setPicking(false);
      return;
    }
    if (picking) return; // the picker closes itself on a press outside
    const outside = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) onOpenChange(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open, picking, onOpenChange]);

  // The first item takes the focus when the menu opens and when it turns into the confirmation.
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
  }, [open, confirming]);

  const closePicker = useCallback(() => {
    onOpenChange(false);
    button.current?.focus();
  }, [onOpenChange]);

  const close = (refocus = true) => {
    onOpenChange(false);
    if (refocus) button.current?.focus();
  };
  const run = (act: () => void) => {
    close(false);
    act();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowRight") {
      e.preventDefault();
      items[(at + 1) % items.length]?.focus();
    } else if (e.key === "ArrowUp" || e.key === "ArrowLeft") {
      e.preventDefault();
      items[(at - 1 + items.length) % items.length]?.focus();
    } else if (e.key === "Tab") close(false);
  };

  const item = "block w-full rounded px-3 py-1.5 text-left text-sm text-slate-800 hover:bg-slate-100 focus:bg-slate-100 focus:outline-none";
  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        aria-label={t("label")}
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="message-actions"
        onClick={() => onOpenChange(!open)}
        className="rounded-full px-1.5 text-base leading-5 text-slate-600 hover:bg-slate-200"
      >
        ⋯
      </button>
      {open && picking ? (
        <div ref={menu} className={`absolute z-30 mt-1 w-[min(20rem,calc(100vw-2rem))] ${own ? "right-0" : "left-0"}`}>
          <EmojiPanel label={te("moreReactionsPanel")} onPick={(emoji) => run(() => handlers.react(message, emoji))} onClose={closePicker} />
        </div>
      ) : open ? (
        <div
          ref={menu}
          role="menu"
          aria-label={t("label")}
          onKeyDown={onKeyDown}
          data-testid="message-menu"
          className={`absolute z-30 mt-1 w-56 rounded-lg border border-slate-200 bg-surface p-1 shadow-lg ${own ? "right-0" : "left-0"}`}
        >
          {confirming ? (
            <>
              <p className="px-3 py-1.5 text-sm text-slate-800">{t("confirmDelete")}</p>
              <button type="button" role="menuitem" className={`${item} !text-red-700`} onClick={() => run(() => handlers.deleteForEveryone(message))}>
                {t("delete")}
              </button>
              <button type="button" role="menuitem" className={item} onClick={() => setConfirming(false)}>
                {t("cancel")}
              </button>
            </>
          ) : (
            <>
              {live ? (
                <div className="flex justify-between px-1 pb-1" role="group" aria-label={t("react")}>
                  {REACTIONS.map((emoji) => (
                    <button
                      key={emoji}
                      type="button"
                      role="menuitem"
                      aria-label={message.myReaction === emoji ? t("removeReaction", { emoji }) : t("reactWith", { emoji })}
                      className={`rounded px-1 text-lg hover:bg-slate-100 focus:bg-slate-100 focus:outline-none ${message.myReaction === emoji ? "bg-brand-50 ring-1 ring-brand-500" : ""}`}
                      onClick={() => run(() => handlers.react(message, emoji))}
                    >
                      {emoji}
                    </button>
                  ))}
                  <button
                    type="button"
                    role="menuitem"
                    aria-label={te("moreReactions")}
                    title={te("moreReactionsPanel")}
                    data-testid="more-reactions"
                    className="rounded px-1.5 text-lg text-slate-600 hover:bg-slate-100 focus:bg-slate-100 focus:outline-none"
                    onClick={() => setPicking(true)}
                  >
                    <span aria-hidden>＋</span>
                  </button>
                </div>
              ) : null}
              {live ? (
                <button type="button" role="menuitem" className={item} onClick={() => run(() => handlers.reply(message))}>
                  {t("reply")}
                </button>
              ) : null}
              {live && own && message.kind === "text" ? (
                <button type="button" role="menuitem" className={item} onClick={() => run(() => handlers.edit(message))}>
                  {t("edit")}
                </button>
              ) : null}
              <button type="button" role="menuitem" className={item} onClick={() => run(() => handlers.deleteForMe(message))}>
                {t("deleteForMe")}
              </button>
              {live && own ? (
                <button type="button" role="menuitem" className={`${item} !text-red-700`} onClick={() => setConfirming(true)}>
                  {t("deleteForEveryone")}
                </button>
              ) : null}
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}
