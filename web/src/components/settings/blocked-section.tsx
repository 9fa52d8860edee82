"use client";
import { useState } from "react";
import type { BlockedUser } from "@dim/shared";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { useErrorText } from "@/hooks/use-error-text";
import { useFormatter, useTranslations } from "@/i18n";
import type { ShownError } from "@/lib/errors";

/** Settings → Blocked users: who I blocked (contacts.blocked, kept current by pushes), each with "Unblock". */
export function BlockedSection(props: { blocked: BlockedUser[]; onUnblock: (userId: string) => Promise<ShownError | null> }) {
  const t = useTranslations("blocked");
  const format = useFormatter();
  const errorText = useErrorText();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const unblock = async (userId: string) => {
    setBusy(userId);
    const problem = await props.onUnblock(userId);
    setBusy(null);
    setError(problem ? errorText(problem) : null);
  };

  return (
    <section aria-labelledby="settings-blocked" className="space-y-3">
      <h3 id="settings-blocked" className="text-sm font-semibold text-slate-900">
        {t("heading")}
      </h3>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {props.blocked.length === 0 ? <p className="text-sm text-slate-600">{t("none")}</p> : null}
      <ul className="space-y-2" data-testid="blocked-users">
        {props.blocked.map((b) => (
          <li key={b.user.id} className="flex items-center gap-3 rounded-md border border-slate-200 p-3" data-testid="blocked-user">
            <Avatar name={b.user.displayName} seed={b.user.id} size="sm" src={b.user.avatarUrl} />
            <div className="min-w-0 flex-1 text-sm">
              <p className="truncate font-medium text-slate-900">
                {b.user.displayName} <span className="font-normal text-slate-600">@{b.user.username}</span>
              </p>
              <p className="text-xs text-slate-600">{t("since", { when: format.dateTime(new Date(b.since), { dateStyle: "medium", timeStyle: "short" }) })}</p>
            </div>
            <Button
              variant="secondary"
              size="sm"
              disabled={busy !== null}
              onClick={() => void unblock(b.user.id)}
              aria-label={t("unblockWho", { name: b.user.displayName, username: b.user.username })}
            >
              {t("unblock")}
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
