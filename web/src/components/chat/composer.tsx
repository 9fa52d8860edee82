"use client";
import { useId, useRef, useState, type KeyboardEvent } from "react";
import { Limits } from "@dim/shared";
import { Button } from "@/components/ui/button";

const MAX = Limits.maxBodyChars;

/** Enter sends, Shift+Enter adds a line; the length is bounded by the protocol's limit. */
export function Composer({ onSend, hint }: { onSend: (body: string) => string | null; hint: string | null }) {
  const id = useId();
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const blank = body.trim().length === 0;

  const send = () => {
    if (blank) return;
    const problem = onSend(body);
    if (problem) setError(problem);
    else {
      setBody("");
      setError(null);
    }
    ref.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Never send in the middle of an IME composition.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  const near = body.length > MAX * 0.9;
  return (
    <div className="border-t border-slate-200 bg-surface px-4 py-3">
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label htmlFor={id} className="sr-only">
          Message
        </label>
        <textarea
          id={id}
          ref={ref}
          value={body}
          onChange={(e) => {
            setBody(e.target.value);
            setError(null);
          }}
          onKeyDown={onKeyDown}
          maxLength={MAX}
          rows={Math.min(6, Math.max(1, body.split("\n").length))}
          placeholder="Write a message…"
          aria-describedby={`${id}-help`}
          className="max-h-40 min-h-10 flex-1 resize-none rounded-lg border border-slate-300 bg-surface px-3 py-2 text-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-2 focus:outline-offset-0 focus:outline-brand-500/30"
        />
        <Button type="submit" disabled={blank} className="h-10">
          Send
        </Button>
      </form>
      <p id={`${id}-help`} className="mt-1 flex gap-3 text-[11px] text-slate-500">
        <span className="hidden sm:inline">Enter to send · Shift+Enter for a new line</span>
        {hint ? <span className="text-amber-700">{hint}</span> : null}
        {near ? (
          <span className={`ml-auto ${body.length >= MAX ? "text-red-600" : "text-amber-700"}`}>
            {body.length}/{MAX}
          </span>
        ) : null}
      </p>
      {error ? (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
