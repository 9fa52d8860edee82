"use client";
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { ErrorCode, Limits, username as usernameSchema, type Contact, type ContactRequest } from "@dim/shared";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { useCountdown } from "@/hooks/use-countdown";
import { useUserSearch } from "@/hooks/use-user-search";
import { searchRows, type SearchRow } from "@/lib/contact-search";
import { useTranslations, type Translator } from "@/i18n";
import { friendlyMessage, type ShownError } from "@/lib/errors";

function messageFor(error: ShownError, name: string, t: Translator<"contacts">, tErrors: Translator<"errors">): string {
  switch (error.code) {
    case ErrorCode.NotFound:
      return t("noSuchUser", { name });
    case ErrorCode.Conflict:
      return t("requestConflict");
    case ErrorCode.Forbidden:
      return t("requestForbidden");
    case ErrorCode.BadRequest:
      return error.reason === "self" ? t("cannotAddYourself") : friendlyMessage(error, tErrors);
    default:
      return friendlyMessage(error, tErrors);
  }
}

type Feedback = { tone: "error" | "ok"; text: string; code?: ErrorCode };

export interface AddContactFormProps {
  /** Sends a contact request by exact username (or accepts theirs if they asked first). */
  onRequest: (username: string) => Promise<ShownError | null>;
  onAccept: (requestId: string) => Promise<ShownError | null>;
  onOpen: (conversationId: string) => void;
  busy: boolean;
  contacts: Contact[];
  incoming: ContactRequest[];
  outgoing: ContactRequest[];
}

/**
 * "Add contact": type a name or a username. People whose display name or username starts with
 * it are listed below (gateway users.search, debounced) with Add / Requested / Accept / Contact;
 * Enter on the field still sends a request to the exact username typed. ArrowDown moves from the
 * field into the results, arrows move between them, ArrowUp from the first or Escape goes back.
 */
export function AddContactForm(props: AddContactFormProps) {
  const t = useTranslations("contacts");
  const tErrors = useTranslations("errors");
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [value, setValue] = useState("");
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const search = useUserSearch(value);
  const rows = search.status === "idle" ? [] : searchRows(search.users, props);
  const searchError = search.status === "error" ? search.error : null;
  const retryIn = useCountdown(searchError?.retryAt ?? null);

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
      const text = rows.length > 0 ? t("pickFromResults") : t("usernameRule", { min: Limits.usernameMin, max: Limits.usernameMax });
      setFeedback({ tone: "error", text });
      return;
    }
    const error = await props.onRequest(name);
    if (error) setFeedback({ tone: "error", text: messageFor(error, name, t, tErrors), code: error.code });
    else {
      setFeedback({ tone: "ok", text: t("requestSent", { username: name }) });
      setValue("");
    }
  };

  /**
   * Add / Accept / Open from a result row. Done, the search is cleared (the note says what
   * happened) and the cursor goes back to the field for the next one; refused, the query stays.
   */
  const act = async (row: SearchRow) => {
    const { user, relation } = row;
    if (relation.kind === "contact") return props.onOpen(relation.conversationId);
    if (relation.kind === "requested" || props.busy) return;
    const error = relation.kind === "incoming" ? await props.onAccept(relation.requestId) : await props.onRequest(user.username);
    if (error) return setFeedback({ tone: "error", text: messageFor(error, user.username, t, tErrors), code: error.code });
    setValue("");
    inputRef.current?.focus();
    setFeedback({ tone: "ok", text: relation.kind === "incoming" ? t("nowContacts", { username: user.username }) : t("requestSent", { username: user.username }) });
  };

  const resultButtons = () => [...(listRef.current?.querySelectorAll<HTMLButtonElement>("button[data-search-action]") ?? [])];

  const onInputKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") {
      const first = resultButtons()[0];
      if (!first) return;
      event.preventDefault();
      first.focus();
    } else if (event.key === "Escape" && value) {
      event.preventDefault();
      setValue("");
      setFeedback(null);
    }
  };

  const onResultsKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const buttons = resultButtons();
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    let next: number | "input" | null = null;
    if (event.key === "ArrowDown") next = Math.min(buttons.length - 1, index + 1);
    else if (event.key === "ArrowUp") next = index <= 0 ? "input" : index - 1;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = buttons.length - 1;
    else if (event.key === "Escape") next = "input";
    else if (event.key.length === 1 && event.key !== " " && !event.ctrlKey && !event.metaKey && !event.altKey) {
      // Typing goes on in the field (the key lands there: focus moves before it is inserted).
      inputRef.current?.focus();
      return;
    }
    if (next === null) return;
    event.preventDefault();
    if (next === "input") inputRef.current?.focus();
    else buttons[next]?.focus();
  };

  // One message at a time: the answer to what was just done speaks over the search's own line
  // ("No user named x" and "No one found for x" would say the same thing twice).
  const shownSearchError = feedback ? null : searchError;
  const describedBy = [`${id}-hint`, feedback ? `${id}-feedback` : null, shownSearchError ? `${id}-search-error` : null].filter(Boolean).join(" ");
  const showResults = search.status !== "idle";

  return (
    <form onSubmit={onSubmit} className="px-4 py-3" noValidate role="search" aria-label={t("searchLabel")}>
      <label htmlFor={id} className="mb-1 block text-xs font-semibold tracking-wide text-slate-500 uppercase">
        {t("addContact")}
      </label>
      <div className="flex gap-2">
        <input
          ref={inputRef}
          id={id}
          name="contact-username"
          type="search"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setFeedback(null);
          }}
          onKeyDown={onInputKeyDown}
          placeholder={t("placeholder")}
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          maxLength={Limits.usernameMax}
          aria-controls={showResults ? `${id}-results` : undefined}
          aria-invalid={feedback?.tone === "error" || searchError ? true : undefined}
          aria-describedby={describedBy}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-surface px-2.5 py-1.5 text-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-2 focus:outline-offset-0 focus:outline-brand-500/30"
        />
        <Button type="submit" size="sm" disabled={props.busy || !value.trim()}>
          {t("add")}
        </Button>
      </div>
      <p id={`${id}-hint`} className="sr-only">
        {t("hint")}
      </p>
      {feedback ? (
        <p
          id={`${id}-feedback`}
          role={feedback.tone === "error" ? "alert" : "status"}
          data-error-code={feedback.code}
          className={`mt-1 text-xs ${feedback.tone === "error" ? "text-red-700" : "text-emerald-700"}`}
        >
          {feedback.text}
        </p>
      ) : null}
      {shownSearchError ? (
        <p id={`${id}-search-error`} role="alert" data-error-code={shownSearchError.code} className="mt-1 text-xs text-red-700">
          {shownSearchError.code === ErrorCode.RateLimited
            ? t("tooManySearches", { seconds: retryIn })
            : t("searchFailed", { reason: friendlyMessage(shownSearchError, tErrors) })}
        </p>
      ) : null}
      {showResults ? (
        <>
          <p role="status" className="mt-1 text-xs text-slate-500" data-testid="search-status">
            {feedback
              ? ""
              : search.status === "loading"
              ? t("searching")
              : search.status === "done"
                ? rows.length === 0
                  ? t("noneFound", { query: search.query })
                  : t("found", { count: rows.length })
                : ""}
          </p>
          {rows.length > 0 ? (
            <ul id={`${id}-results`} ref={listRef} aria-label={t("resultsLabel", { query: search.query })} onKeyDown={onResultsKeyDown} className="mt-1 space-y-0.5">
              {rows.map((row, i) => (
                <ResultRow key={row.user.id} row={row} tabbable={i === 0} busy={props.busy} onAct={() => void act(row)} />
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
    </form>
  );
}

function ResultRow({ row, tabbable, busy, onAct }: { row: SearchRow; tabbable: boolean; busy: boolean; onAct: () => void }) {
  const t = useTranslations("contacts");
  const { user, relation } = row;
  const who = { name: user.displayName, username: user.username };
  // Each label starts with the button's visible word (WCAG 2.5.3, label in name).
  const action = {
    none: { text: t("add"), label: t("addWho", who), variant: "primary" as const },
    incoming: { text: t("accept"), label: t("acceptWho", who), variant: "primary" as const },
    requested: { text: t("requested"), label: t("requestedWho", who), variant: "secondary" as const },
    contact: { text: t("open"), label: t("openWho", who), variant: "ghost" as const },
  }[relation.kind];
  // Never `disabled` (a disabled button drops focus): aria-disabled, and clicks are ignored.
  const inert = relation.kind === "requested" || (busy && relation.kind !== "contact");
  return (
    <li className="flex items-center gap-2 rounded-md px-1 py-1" data-testid="search-result" data-username={user.username} data-relation={relation.kind}>
      <Avatar name={user.displayName} seed={user.id} size="sm" src={user.avatarUrl} />
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm">{user.displayName}</span>
        <span className="block truncate text-xs text-slate-500">
          @{user.username}
          {relation.kind === "contact" ? <span className="ml-1.5 rounded-full bg-emerald-100 px-1.5 text-[10px] font-semibold text-emerald-800">{t("contactBadge")}</span> : null}
          {relation.kind === "incoming" ? <span className="ml-1.5 text-brand-700">{t("wantsToConnect")}</span> : null}
        </span>
      </span>
      <Button
        size="sm"
        variant={action.variant}
        data-search-action
        tabIndex={tabbable ? 0 : -1}
        aria-label={action.label}
        aria-disabled={inert ? true : undefined}
        onClick={() => {
          if (!inert) onAct();
        }}
        className={inert ? "cursor-default opacity-70" : ""}
      >
        {action.text}
      </Button>
    </li>
  );
}
