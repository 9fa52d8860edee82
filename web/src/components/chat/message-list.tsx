"use client";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { ChatMessage } from "@dim/client";
import { Button } from "@/components/ui/button";
import { useFormatter, useNow, useTranslations } from "@/i18n";
import { chatRows, dayLabel } from "@/lib/chat-messages";
import { usePeople } from "@/hooks/use-people";
import type { MentionedNames } from "./mention-text";
import type { NameOf } from "@/lib/system-text";
import { MessageBubble } from "./message-bubble";
import type { MessageHandlers } from "./message-actions";
import { SystemRow } from "./system-row";

/** A group's log: senders' names, system messages in words, readers of own messages. */
export interface GroupLog {
  meId: string;
  /** Mine, to mark mentions of me. */
  myUsername: string;
  nameOf: NameOf;
  onReaders: (seq: number) => void;
}

/** Earlier messages load when the top of the list comes this close (px). */
const NEAR_TOP = 160;

/**
 * The message log: day separators, the "new messages" marker, and earlier history loaded as the
 * person scrolls to the top. Stays pinned to the bottom while the person is there (or just sent
 * something), and keeps its place when earlier messages are loaded above.
 */
export function MessageList(props: {
  messages: readonly ChatMessage[];
  peerName: string;
  unreadAfter: number | null;
  canLoadEarlier: boolean;
  loadingEarlier: boolean;
  loadFailed: boolean;
  onLoadEarlier: () => void;
  /** Holes between a jump's page and the rest, and how to fill one (from its afterSeq). */
  gaps?: ReadonlyArray<{ afterSeq: number; beforeSeq: number }>;
  loadingGap?: boolean;
  onLoadGap?: (afterSeq: number) => void;
  onRetry: (clientMsgId: string) => void;
  group?: GroupLog | undefined;
  /** Scroll to this seq and outline it (a new `n` each jump, so the same seq can be jumped to again). */
  focus?: { seq: number; n: number } | null;
  meId: string;
  /** null: read only (left or removed): no actions. */
  handlers: MessageHandlers | null;
}) {
  const { group, meId } = props;
  const t = useTranslations();
  const format = useFormatter();
  // "Today" becomes "Yesterday" at midnight without a reload.
  const now = useNow({ updateInterval: 60_000 });
  const [focused, setFocused] = useState<number | null>(null);
  const focusDone = useRef<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const scrolledToMarker = useRef(false);
  const previous = useRef<{ first: string | undefined; count: number; height: number }>({ first: undefined, count: 0, height: 0 });

  const first = props.messages[0]?.clientMsgId;
  const last = props.messages[props.messages.length - 1];
  const rows = useMemo(() => chatRows(props.messages, props.unreadAfter, props.gaps), [props.messages, props.unreadAfter, props.gaps]);
  const hasMarker = rows.some((r) => r.kind === "unread");
  const bySeq = useMemo(() => new Map(props.messages.filter((m) => m.seq !== null).map((m) => [m.seq!, m])), [props.messages]);
  const { people } = usePeople();
  const myUsername = group?.myUsername ?? null;
  const mentionedOf = useCallback(
    (m: ChatMessage): MentionedNames | null =>
      m.mentions.length > 0 || m.mentionsAll
        ? { usernames: new Set(m.mentions.flatMap((id) => people.get(id)?.username ?? [])), all: m.mentionsAll, myUsername }
        : null,
    [people, myUsername],
  );
  const nameOf = useCallback(
    (userId: string) => (userId === meId ? t("system.youSubject") : group ? (group.nameOf(userId) ?? t("system.someone")) : props.peerName),
    [meId, group, props.peerName, t],
  );

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = previous.current;
    const prepended = before.first !== undefined && first !== before.first && props.messages.length > before.count;
    if (hasMarker && !scrolledToMarker.current) {
      // Opened with unread messages: start at the marker, not at the very bottom.
      const marker = el.querySelector<HTMLElement>("[data-testid='new-messages']");
      if (marker) {
        scrolledToMarker.current = true;
        el.scrollTop = Math.max(0, marker.offsetTop - el.offsetTop - 48);
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }
    } else if (prepended && !atBottom.current) {
      el.scrollTop += el.scrollHeight - before.height; // keep the same messages in view
    } else if (atBottom.current || (last?.own && last.seq === null)) {
      el.scrollTop = el.scrollHeight;
    }
    previous.current = { first, count: props.messages.length, height: el.scrollHeight };
  }, [props.messages, first, last, hasMarker]);

  // A jump: once the message is held, centre it and outline it for a few seconds.
  const { focus } = props;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !focus || focusDone.current === focus.n) return;
    const target = el.querySelector<HTMLElement>(`[data-seq="${focus.seq}"]`);
    if (!target) return;
    focusDone.current = focus.n;
    scrolledToMarker.current = true;
    target.scrollIntoView({ block: "center" });
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    setFocused(focus.seq);
  }, [focus, props.messages]);
  useEffect(() => {
    if (focused === null) return;
    const t = setTimeout(() => setFocused(null), 4000);
    return () => clearTimeout(t);
  }, [focused]);

  const { canLoadEarlier, loadingEarlier, loadFailed, onLoadEarlier } = props;
  const maybeLoadEarlier = useCallback(() => {
    const el = scroller.current;
    if (!el || !canLoadEarlier || loadingEarlier || loadFailed) return;
    if (el.scrollTop < NEAR_TOP) onLoadEarlier();
  }, [canLoadEarlier, loadingEarlier, loadFailed, onLoadEarlier]);
  // Also after each change: a short page does not fill the screen, so no scroll would come.
  useEffect(() => {
    maybeLoadEarlier();
  }, [maybeLoadEarlier, props.messages]);

  // A click on a quote: scroll to the quoted message, paging earlier history in until it is held.
  const [jumpTo, setJumpTo] = useState<number | null>(null);
  const [highlighted, setHighlighted] = useState<number | null>(null);
  useEffect(() => {
    if (jumpTo === null) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-testid='message'][data-seq='${jumpTo}']`);
    if (el) {
      setJumpTo(null);
      setHighlighted(jumpTo);
      el.scrollIntoView({ block: "center" });
      return;
    }
    if (!canLoadEarlier || loadFailed) setJumpTo(null); // not there (deleted for me, or history ends)
    else if (!loadingEarlier) onLoadEarlier();
  }, [jumpTo, props.messages, canLoadEarlier, loadingEarlier, loadFailed, onLoadEarlier]);
  // The highlight takes the focus (so the keyboard is there too) and fades after a while.
  useEffect(() => {
    if (highlighted === null) return;
    scroller.current?.querySelector<HTMLElement>(`[data-testid='message'][data-seq='${highlighted}']`)?.focus({ preventScroll: true });
    const timer = setTimeout(() => setHighlighted(null), 2500);
    return () => clearTimeout(timer);
  }, [highlighted]);

  return (
    <div
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        maybeLoadEarlier();
      }}
      data-testid="message-scroller"
      // Focusable, so a keyboard scrolls a long log (one with no link or button in view included).
      tabIndex={0}
      className="flex flex-1 flex-col overflow-y-auto bg-slate-50 px-3 py-4 [overflow-anchor:none] sm:px-4"
    >
      {/* Pushes a short conversation to the bottom, next to the composer, as chat apps do. */}
      <div aria-hidden className="flex-1" />
      {loadingEarlier ? (
        <p role="status" className="mb-3 text-center text-xs text-slate-500" data-testid="loading-earlier">
          {t("messages.loadingEarlier")}
        </p>
      ) : null}
      {canLoadEarlier && loadFailed && !loadingEarlier ? (
        <div className="mb-3 flex justify-center">
          <Button variant="secondary" size="sm" onClick={onLoadEarlier}>
            {t("messages.retryEarlier")}
          </Button>
        </div>
      ) : null}
      {!canLoadEarlier && props.messages.length > 0 && (props.messages[0]?.seq ?? 0) <= 1 ? (
        <p className="mb-3 text-center text-[11px] text-slate-600">{t("messages.beginning")}</p>
      ) : null}
      {props.messages.length === 0 ? <p className="mb-6 text-center text-sm text-slate-500">{t("messages.empty")}</p> : null}
      {/* The live region wraps the list: role="log" on the <ol> itself would take away its list semantics. */}
      <div role="log" aria-live="polite" aria-relevant="additions" aria-label={group ? t("messages.inGroup", { name: props.peerName }) : t("messages.withPeer", { name: props.peerName })}>
      <ol>
        {rows.map((row) =>
          row.kind === "day" ? (
            <li key={row.key} data-testid="day-separator" className="sticky top-0 z-10 mt-2 flex justify-center py-1">
              <span className="rounded-full border border-slate-200 bg-surface/90 px-3 py-0.5 text-[11px] font-medium text-slate-500 shadow-sm backdrop-blur">
                {dayLabel(row.at, t, format, now)}
              </span>
            </li>
          ) : row.kind === "gap" ? (
            <li key={row.key} data-testid="history-gap" className="mt-2 flex justify-center py-1">
              <Button variant="secondary" size="sm" disabled={props.loadingGap} onClick={() => props.onLoadGap?.(row.afterSeq)}>
                {props.loadingGap ? t("messages.loadingLater") : t("messages.loadLater", { count: row.missing })}
              </Button>
            </li>
          ) : row.kind === "unread" ? (
            <li key={row.key} data-testid="new-messages" className="mt-2 flex items-center gap-2 py-1">
              <span aria-hidden className="h-px flex-1 bg-red-400/60" />
              <span className="text-[11px] font-semibold tracking-wide text-red-600 uppercase">{t("messages.new")}</span>
              <span aria-hidden className="h-px flex-1 bg-red-400/60" />
            </li>
          ) : row.kind === "system" ? (
            <SystemRow
              key={row.key}
              system={row.system}
              senderId={row.message.senderId}
              createdAt={row.message.createdAt}
              seq={row.message.seq}
              ctx={{ meId: group?.meId ?? "", nameOf: group?.nameOf ?? (() => undefined) }}
            />
          ) : (
            <MessageBubble
              key={row.key}
              message={row.message}
              senderName={group ? ((row.message.senderId && group.nameOf(row.message.senderId)) ?? t("system.someone")) : props.peerName}
              onRetry={props.onRetry}
              group={group ? { onReaders: group.onReaders } : undefined}
              run={{ first: row.first, last: row.last, newestOwn: row.newestOwn }}
              focused={focused !== null && row.message.seq === focused}
              mentioned={mentionedOf(row.message)}
              extras={{
                handlers: props.handlers,
                quoted: row.message.replyTo !== null ? bySeq.get(row.message.replyTo) : undefined,
                quotedAuthor: quotedAuthor(row.message.replyTo !== null ? bySeq.get(row.message.replyTo) : undefined, nameOf, t("system.youSubject")),
                onJump: setJumpTo,
                nameOf,
                highlighted: highlighted !== null && row.message.seq === highlighted,
              }}
            />
          ),
        )}
      </ol>
      </div>
    </div>
  );
}

function quotedAuthor(quoted: ChatMessage | undefined, nameOf: (userId: string) => string, you: string): string | null {
  if (!quoted) return null;
  if (quoted.own) return you;
  return quoted.senderId ? nameOf(quoted.senderId) : null;
}
