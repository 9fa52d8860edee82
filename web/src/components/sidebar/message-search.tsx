"use client";
import { useEffect, useId, useRef, useState } from "react";
import type { SearchHit } from "@dim/shared";
import { useMessageSearch } from "@/hooks/use-message-search";
import { useFormatter, useTranslations } from "@/i18n";
import { shortTime } from "@/lib/format";
import { snippetParts } from "@/lib/snippet-parts";

/** Typing in a field: "/" is a character there, not the shortcut. */
function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

/**
 * Search in my messages (messages.search): a combobox with a list of results, arrow keys to
 * move, Enter to open one at its message. Ctrl+K (⌘K) or "/" focuses it from anywhere.
 */
export function MessageSearch({ onOpen }: { onOpen: (hit: SearchHit) => void }) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const search = useMessageSearch(query);
  const { results } = search;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const combo = (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k";
      if (combo || (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !typingInField(e.target))) {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  useEffect(() => setActive(0), [results]);

  const t = useTranslations("messageSearch");
  const format = useFormatter();
  const open = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onOpen(hit);
  };
  const expanded = search.ready && (results.length > 0 || !search.searching);
  const optionId = (i: number) => `${listId}-opt-${i}`;

  return (
    <div className="px-4 pb-2" role="search">
      <label htmlFor={`${listId}-input`} className="sr-only">
        {t("label")}
      </label>
      <input
        id={`${listId}-input`}
        ref={input}
        type="search"
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={expanded && results[active] ? optionId(active) : undefined}
        aria-keyshortcuts="Control+K /"
        placeholder={t("placeholder")}
        autoComplete="off"
        value={query}
        data-testid="message-search"
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setActive((i) => Math.min(i + 1, Math.max(results.length - 1, 0)));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setActive((i) => Math.max(i - 1, 0));
          } else if (e.key === "Enter") {
            e.preventDefault();
            open(results[active]);
          } else if (e.key === "Escape" && query) {
            e.preventDefault();
            setQuery("");
          }
        }}
        className="w-full rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm text-slate-900 placeholder:text-slate-500 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/40"
      />
      <p role="status" className="sr-only">
        {search.ready && !search.searching ? t("count", { count: results.length }) : ""}
      </p>
      {search.error ? (
        <p className="mt-1 text-xs text-red-600" data-testid="message-search-error">
          {search.error}
        </p>
      ) : null}
      {expanded ? (
        <ul id={listId} role="listbox" aria-label={t("results")} className="mt-1 max-h-80 overflow-y-auto rounded-md border border-slate-200 bg-surface" data-testid="message-search-results">
          {results.length === 0 ? (
            <li role="option" aria-selected={false} aria-disabled className="px-3 py-2 text-xs text-slate-500">
              {t("none")}
            </li>
          ) : (
            results.map((hit, i) => (
              <li
                key={hit.messageId}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                data-testid="message-search-result"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => open(hit)}
                onMouseEnter={() => setActive(i)}
                className={`cursor-pointer border-b border-slate-100 px-3 py-2 last:border-b-0 ${i === active ? "bg-brand-50" : ""}`}
              >
                <span className="flex items-baseline gap-2">
                  <span className="min-w-0 flex-1 truncate text-xs font-semibold text-slate-800">{hit.conversation.title}</span>
                  <time dateTime={hit.createdAt} className="shrink-0 text-[11px] text-slate-600">
                    {shortTime(hit.createdAt, format)}
                  </time>
                </span>
                <span className="mt-0.5 block text-xs text-slate-700">
                  <span className="font-medium">{t("senderPrefix", { name: hit.sender.displayName })}</span>
                  {snippetParts(hit.snippet).map((p, k) =>
                    p.marked ? (
                      <mark key={k} className="rounded-sm bg-yellow-200 px-0.5 text-black">
                        {p.text}
                      </mark>
                    ) : (
                      <span key={k}>{p.text}</span>
                    ),
                  )}
                </span>
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}
