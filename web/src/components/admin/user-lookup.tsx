"use client";
import { useState, type FormEvent } from "react";
import type { AdminUserLookupOutput } from "@dim/shared";
import { toAppError } from "@dim/client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { useErrorText } from "@/hooks/use-error-text";
import { gateway } from "@/lib/gateway";
import { AdminSection } from "./admin-section";
import { ConfirmAccountChange } from "./confirm-account-change";
import { SessionsTable } from "./sessions-table";


/** Finds a user by username; shows its sessions; disables or enables it after a confirmation. */
export function UserLookup(props: { selfId: string; onAudited: () => void }) {
  const errorText = useErrorText();
  const messageOf = errorText;
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<AdminUserLookupOutput | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<"disable" | "enable" | null>(null);
  const [busy, setBusy] = useState(false);

  const lookup = async (username: string) => {
    setBusy(true);
    try {
      setFound(await gateway().admin.userLookup.query({ username }));
      setError(null);
      props.onAudited();
    } catch (err) {
      setFound(null);
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    if (query.trim()) void lookup(query);
  };
  const change = async (kind: "disable" | "enable") => {
    if (!found) return;
    setBusy(true);
    try {
      if (kind === "disable") {
        const out = await gateway().admin.disableUser.mutate({ userId: found.user.id });
        const n = out.sessionsEnded;
        setStatus(`${found.user.username} is disabled; ${n} session${n === 1 ? "" : "s"} ended.`);
      } else {
        await gateway().admin.enableUser.mutate({ userId: found.user.id });
        setStatus(`${found.user.username} is enabled and can sign in again.`);
      }
      setConfirming(null);
      await lookup(found.user.username);
    } catch (err) {
      setConfirming(null);
      setError(messageOf(err));
      props.onAudited();
    } finally {
      setBusy(false);
    }
  };

  const user = found?.user;
  return (
    <AdminSection title="Users" id="admin-users">
      <form onSubmit={onSubmit} className="flex flex-col gap-2 sm:flex-row sm:items-end" role="search" aria-label="Look up a user">
        <TextField label="Username" name="username" autoComplete="off" value={query} onChange={(e) => setQuery(e.target.value)} className="flex-1" />
        <Button type="submit" disabled={busy || !query.trim()}>Look up</Button>
      </form>
      <div className="mt-3 flex flex-col gap-3" aria-live="polite">
        {error ? <Alert>{error}</Alert> : null}
        {status ? <Alert tone="info">{status}</Alert> : null}
        {user ? (
          <div data-testid="admin-user">
            <div className="flex flex-wrap items-center gap-2">
              <p className="flex-1 text-sm text-slate-800">
                <span className="font-semibold">{user.displayName}</span> @{user.username}
                {user.isAdmin ? " · administrator" : ""} · joined {new Date(user.createdAt).toLocaleDateString()} ·{" "}
                <span data-testid="admin-user-state">{user.disabledAt ? `disabled since ${new Date(user.disabledAt).toLocaleString()}` : "active"}</span>
              </p>
              {user.id === props.selfId ? null : user.disabledAt ? (
                <Button variant="secondary" size="sm" onClick={() => setConfirming("enable")} disabled={busy}>Enable account</Button>
              ) : (
                <Button variant="danger" size="sm" onClick={() => setConfirming("disable")} disabled={busy}>Disable account</Button>
              )}
            </div>
            <SessionsTable sessions={found.sessions} />
          </div>
        ) : null}
      </div>
      {user && confirming ? (
        <ConfirmAccountChange kind={confirming} username={user.username} busy={busy} onConfirm={() => void change(confirming)} onCancel={() => setConfirming(null)} />
      ) : null}
    </AdminSection>
  );
}
