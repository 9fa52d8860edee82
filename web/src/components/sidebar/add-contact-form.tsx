"use client";
import { useEffect, useId, useState, type FormEvent } from "react";
import { ErrorCode, Limits, username as usernameSchema } from "@dim/shared";
import { Button } from "@/components/ui/button";
import type { ShownError } from "@/lib/errors";

function messageFor(error: ShownError, name: string): string {
  switch (error.code) {
    case ErrorCode.NotFound:
      return `No user named “${name}”.`;
    default:
      return error.message.charAt(0).toUpperCase() + error.message.slice(1);
  }
}

/** "Add contact by username": sends a contact request (or accepts theirs if they asked first). */
export function AddContactForm({ onRequest, busy }: { onRequest: (username: string) => Promise<ShownError | null>; busy: boolean }) {
  const id = useId();
  const [value, setValue] = useState("");
  const [feedback, setFeedback] = useState<{ tone: "error" | "ok"; text: string } | null>(null);

  // A success note fades after a few seconds; errors stay until the input changes.
  useEffect(() => {
    if (feedback?.tone !== "ok") return;
    const timer = setTimeout(() => setFeedback(null), 5000);
    return () => clearTimeout(timer);
  }, [feedback]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const name = value.trim().toLowerCase();
    if (!usernameSchema.safeParse(name).success) {
      setFeedback({ tone: "error", text: "Usernames have 3–32 characters: a–z, 0–9 and '_'." });
      return;
    }
    const error = await onRequest(name);
    if (error) setFeedback({ tone: "error", text: messageFor(error, name) });
    else {
      setFeedback({ tone: "ok", text: `Request sent to @${name}.` });
      setValue("");
    }
  };

  return (
    <form onSubmit={onSubmit} className="px-4 py-3" noValidate>
      <label htmlFor={id} className="mb-1 block text-xs font-semibold tracking-wide text-slate-500 uppercase">
        Add contact
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          name="contact-username"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setFeedback(null);
          }}
          placeholder="username"
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          maxLength={Limits.usernameMax}
          aria-invalid={feedback?.tone === "error" ? true : undefined}
          aria-describedby={feedback ? `${id}-feedback` : undefined}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-surface px-2.5 py-1.5 text-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-2 focus:outline-offset-0 focus:outline-brand-500/30"
        />
        <Button type="submit" size="sm" disabled={busy || !value.trim()}>
          Add
        </Button>
      </div>
      {feedback ? (
        <p id={`${id}-feedback`} role={feedback.tone === "error" ? "alert" : "status"} className={`mt-1 text-xs ${feedback.tone === "error" ? "text-red-700" : "text-emerald-700"}`}>
          {feedback.text}
        </p>
      ) : null}
    </form>
  );
}
