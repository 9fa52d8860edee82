"use client";
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { Limits } from "@dim/shared";
import { Button } from "@/components/ui/button";
import { PaperclipIcon, SmileIcon } from "@/components/ui/icons";
import { filesOf, type AttachmentDraft, type useAttachmentDrafts } from "@/hooks/use-attachment-drafts";
import { lengthAfterPaste, pastedLength, pastedTextFile } from "@/lib/long-paste";
import { AttachmentTray } from "./attachment-tray";
import { EmojiPanel } from "./emoji-picker";
import { LongPasteOffer } from "./long-paste-offer";
import { ComposerModeBar } from "./composer-mode-bar";
import type { ComposerMode } from "@/hooks/use-message-actions";
import type { MentionOptions } from "@dim/client";
import { useMentionPicker, type Mentionables } from "@/hooks/use-mention-picker";
import { MentionPicker } from "./mention-picker";
import { useTranslations } from "@/i18n";

const MAX = Limits.maxBodyChars;

/**
 * Enter sends, Shift+Enter adds a line; the length is bounded by the protocol's limit. Files come
 * from the attach button, a paste, or a drop on the conversation (ChatView): they wait in the
 * tray (previews, Remove) and go out on Send, each as its own message, the text as the first
 * one's caption. A pasted text too long for a message is not cut: it waits, said, and can be
 * attached as a text file instead. In a group, `@` opens the members' autocomplete
 * (use-mention-picker.ts); a text goes out with the members it names.
 */
export function Composer({
  onSend,
  onSendFiles,
  hint,
  drafts,
  mode = null,
  modeAuthor = "",
  onMode,
  onSubmitMode,
  onEditLast,
  onTyping,
  onStopTyping,
  mentionables,
}: {
  onSend: (body: string, mentions: MentionOptions) => string | null;
  onSendFiles: (files: AttachmentDraft[], caption: string) => string | null;
  hint: string | null;
  drafts: ReturnType<typeof useAttachmentDrafts>;
  /** Reply or edit mode (Esc or Cancel leaves it); Send then goes to onSubmitMode. */
  mode?: ComposerMode;
  modeAuthor?: string;
  onMode?: (mode: ComposerMode) => void;
  onSubmitMode?: (body: string, mentions: MentionOptions) => boolean;
  /** Up arrow in an empty composer: edit my last message. */
  onEditLast?: () => void;
  onTyping?: () => void;
  onStopTyping?: () => void;
  /** A group's members: `@` autocompletes them. */
  mentionables?: Mentionables | undefined;
}) {
  const id = useId();
  const t = useTranslations("composer");
  const [body, setBody] = useState("");
  // Between compositionstart and compositionend an IME is turning keys into text (pinyin → 汉字):
  // Enter then picks a candidate, it does not send. Safari reports the confirming Enter after
  // compositionend (isComposing false, keyCode 229), so the flag is cleared a tick later.
  const composing = useRef(false);
  const [error, setError] = useState<string | null>(null);
  const [longPaste, setLongPaste] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const te = useTranslations("emoji");
  const emojiButton = useRef<HTMLButtonElement>(null);
  /** Where the caret goes once the body with an inserted emoji is rendered. */
  const caret = useRef<number | null>(null);
  const blank = body.trim().length === 0;
  const mention = useMentionPicker(mentionables, body, setBody, ref);
  const ready = drafts.drafts.filter((d) => !d.problem);

  // Edit mode starts with the message's text, the cursor at its end; leaving it empties the box.
  const editing = mode?.kind === "edit" ? mode.message : null;
  useEffect(() => {
    if (mode) ref.current?.focus();
    if (!editing) return;
    setBody(editing.body);
    return () => setBody("");
  }, [editing, mode]);

  useLayoutEffect(() => {
    const at = caret.current;
    if (at === null) return;
    caret.current = null;
    ref.current?.focus();
    ref.current?.setSelectionRange(at, at);
  }, [body]);

  const closeEmoji = useCallback(() => {
    setEmojiOpen(false);
    emojiButton.current?.focus();
  }, []);

  /** Puts the emoji where the caret was (replacing a selection), then the caret after it. */
  const insertEmoji = (emoji: string) => {
    const el = ref.current;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    setEmojiOpen(false);
    if (lengthAfterPaste(body, start, end, emoji) > MAX) {
      setError(te("noRoom", { max: MAX }));
      ref.current?.focus();
      return;
    }
    caret.current = start + emoji.length;
    setBody(body.slice(0, start) + emoji + body.slice(end));
    setError(null);
    onTyping?.();
  };

  const send = () => {
    if (mode) {
      if (blank) return;
      if (mode.kind === "edit" && body === mode.message.body) onMode?.(null);
      else if (onSubmitMode?.(body, mention.mentionsOf(body))) setBody("");
      onStopTyping?.();
      ref.current?.focus();
      return;
    }
    if (blank && ready.length === 0) return;
    const problem = ready.length > 0 ? onSendFiles(ready, body) : onSend(body, mention.mentionsOf(body));
    if (problem) setError(problem);
    else {
      if (ready.length > 0) drafts.take(ready);
      setBody("");
      setError(null);
    }
    ref.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // An IME composition's keys are the IME's (an Enter picks its candidate, not a member).
    if (!composing.current && mention.onKeyDown(e)) return;
    if (e.key === "Escape" && mode) {
      e.preventDefault();
      onMode?.(null);
      return;
    }
    if (e.key === "ArrowUp" && body === "" && !mode && onEditLast) {
      e.preventDefault();
      onEditLast();
      return;
    }
    // Never send in the middle of an IME composition.
    if (e.key === "Enter" && (e.nativeEvent.isComposing || e.keyCode === 229 || composing.current)) return;
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  };

  const near = body.length > MAX * 0.9;
  return (
    <div className="border-t border-slate-200 bg-surface px-4 py-3">
      {mode ? <ComposerModeBar mode={mode} author={modeAuthor} onCancel={() => onMode?.(null)} /> : null}
      <AttachmentTray drafts={drafts.drafts} notice={drafts.notice} onRemove={drafts.remove} />
      <form
        className="relative flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            drafts.add(e.currentTarget.files ?? []);
            e.currentTarget.value = ""; // the same file can be picked again
          }}
        />
        <Button variant="ghost" disabled={mode !== null} className="h-10 w-10 shrink-0 !px-0" aria-label={t("attach")} title={t("attach")} onClick={() => picker.current?.click()}>
          <PaperclipIcon />
        </Button>
        <div className="relative shrink-0">
          <Button
            ref={emojiButton}
            variant="ghost"
            className="h-10 w-10 !px-0"
            aria-label={te("insert")}
            title={te("insert")}
            aria-haspopup="dialog"
            aria-expanded={emojiOpen}
            data-testid="emoji-button"
            // Pressing the button while the panel is open closes it (the panel's outside press
            // would close it, then the click would open it again).
            onPointerDown={(e) => emojiOpen && e.stopPropagation()}
            onClick={() => (emojiOpen ? closeEmoji() : setEmojiOpen(true))}
          >
            <SmileIcon />
          </Button>
          {emojiOpen ? (
            <EmojiPanel label={te("panel")} onPick={insertEmoji} onClose={closeEmoji} className="absolute bottom-full left-0 z-30 mb-2 w-[min(20rem,calc(100vw-2rem))]" />
          ) : null}
        </div>
        <label htmlFor={id} className="sr-only">
          {t("label")}
        </label>
        {mention.open ? <MentionPicker id={`${id}-mentions`} options={mention.options} active={mention.active} onPick={mention.pick} onHover={mention.setActive} /> : null}
        <textarea
          id={id}
          ref={ref}
          value={body}
          onChange={(e) => {
            setBody(e.target.value);
            mention.track(e.target);
            setError(null);
            if (e.target.value) onTyping?.();
          }}
          onBlur={() => onStopTyping?.()}
          onSelect={(e) => mention.track(e.currentTarget)}
          aria-autocomplete={mentionables ? "list" : undefined}
          aria-controls={mention.open ? `${id}-mentions` : undefined}
          aria-activedescendant={mention.open ? `${id}-mentions-${mention.active}` : undefined}
          onKeyDown={onKeyDown}
          onCompositionStart={() => {
            composing.current = true;
          }}
          onCompositionEnd={() => {
            setTimeout(() => {
              composing.current = false;
            }, 0);
          }}
          onPaste={(e) => {
            const files = filesOf(e.clipboardData);
            if (files.length > 0) {
              e.preventDefault();
              drafts.add(files);
              return;
            }
            const text = e.clipboardData.getData("text/plain");
            const el = e.currentTarget;
            if (lengthAfterPaste(body, el.selectionStart, el.selectionEnd, text) <= MAX) return; // fits: pasted as usual
            // maxLength would silently keep only the start of it: held back instead.
            e.preventDefault();
            setLongPaste(text);
          }}
          maxLength={MAX}
          rows={Math.min(6, Math.max(1, body.split("\n").length))}
          placeholder={mode?.kind === "edit" ? t("placeholderEdit") : mode?.kind === "reply" ? t("placeholderReply") : ready.length > 0 ? t("placeholderCaption") : t("placeholder")}
          aria-describedby={`${id}-help`}
          className="max-h-40 min-h-10 min-w-0 flex-1 resize-none rounded-lg border border-slate-300 bg-surface px-3 py-2 text-sm placeholder:text-slate-500 focus:border-brand-500 focus:outline-2 focus:outline-offset-0 focus:outline-brand-500/30"
        />
        <Button type="submit" disabled={blank && (ready.length === 0 || mode !== null)} className="h-10">
          {mode?.kind === "edit" ? t("save") : t("send")}
        </Button>
      </form>
      <p id={`${id}-help`} className="mt-1 flex gap-3 text-[11px] text-slate-500">
        <span className="hidden sm:inline">
          {mode ? t("helpMode", { kind: mode.kind === "edit" ? "edit" : "reply" }) : t("help")}
        </span>
        {hint ? <span className="text-amber-700">{hint}</span> : null}
        {near ? (
          <span className={`ml-auto ${body.length >= MAX ? "text-red-600" : "text-amber-700"}`}>
            {body.length}/{MAX}
          </span>
        ) : null}
      </p>
      {longPaste !== null ? (
        <LongPasteOffer
          chars={pastedLength(longPaste)}
          max={MAX}
          onAttach={() => {
            drafts.add([pastedTextFile(longPaste)]);
            setLongPaste(null);
            ref.current?.focus();
          }}
          onDismiss={() => {
            setLongPaste(null);
            ref.current?.focus();
          }}
        />
      ) : null}
      {error ? (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
