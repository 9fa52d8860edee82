"use client";
import { useLayoutEffect, useRef } from "react";
import type { ChatMessage } from "@dim/client";
import { Button } from "@/components/ui/button";
import { MessageBubble } from "./message-bubble";

/**
 * The message log. Stays pinned to the bottom while the person is there (or just sent
 * something), and keeps its place when earlier messages are loaded above.
 */
export function MessageList(props: {
  messages: readonly ChatMessage[];
  peerName: string;
  canLoadEarlier: boolean;
  loadingEarlier: boolean;
  onLoadEarlier: () => void;
  onRetry: (clientMsgId: string) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef<{ first: string | undefined; count: number; height: number }>({ first: undefined, count: 0, height: 0 });

  const first = props.messages[0]?.clientMsgId;
  const last = props.messages[props.messages.length - 1];

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = previous.current;
    const prepended = before.first !== undefined && first !== before.first && props.messages.length > before.count;
    if (prepended && !atBottom.current) {
      el.scrollTop += el.scrollHeight - before.height; // keep the same messages in view
    } else if (atBottom.current || last?.own) {
      el.scrollTop = el.scrollHeight;
    }
    previous.current = { first, count: props.messages.length, height: el.scrollHeight };
  }, [props.messages, first, last]);

  return (
    <div
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }}
      className="flex flex-1 flex-col overflow-y-auto bg-slate-50 px-4 py-4"
    >
      {/* Pushes a short conversation to the bottom, next to the composer, as chat apps do. */}
      <div aria-hidden className="flex-1" />
      {props.canLoadEarlier ? (
        <div className="mb-3 flex justify-center">
          <Button variant="secondary" size="sm" onClick={props.onLoadEarlier} disabled={props.loadingEarlier}>
            {props.loadingEarlier ? "Loading…" : "Load earlier"}
          </Button>
        </div>
      ) : null}
      {props.messages.length === 0 ? <p className="mb-6 text-center text-sm text-slate-500">No messages yet. Say hello!</p> : null}
      <ol role="log" aria-live="polite" aria-label={`Messages with ${props.peerName}`} className="space-y-2">
        {props.messages.map((m) => (
          <MessageBubble key={`${m.own ? "me" : m.senderId}:${m.clientMsgId}`} message={m} senderName={props.peerName} onRetry={props.onRetry} />
        ))}
      </ol>
    </div>
  );
}
