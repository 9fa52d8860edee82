"use client";
import { useCallback, useEffect, useState } from "react";
import type { SessionInfo } from "@dim/shared";
import { Button } from "@/components/ui/button";
import { useErrorText } from "@/hooks/use-error-text";
import { gateway } from "@/lib/gateway";

/** A short name for a user agent: the browser and the system, else the raw string. */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent) ? "Edge" : /Firefox\//.test(userAgent) ? "Firefox" : /Chrom(e|ium)\//.test(userAgent) ? "Chrome" : /Safari\//.test(userAgent) ? "Safari" : null;
  const system = /Android/.test(userAgent) ? "Android" : /iPhone|iPad/.test(userAgent) ? "iOS" : /Windows/.test(userAgent) ? "Windows" : /Mac OS X/.test(userAgent) ? "macOS" : /Linux/.test(userAgent) ? "Linux" : null;
  return browser && system ? `${browser} on ${system}` : browser ?? system ?? userAgent.slice(0, 60);
}

/** account.sessions with "Sign out" for each other session and "Sign out all others". */
export function SessionsSection(props: { refreshKey: number }) {
  const errorText = useErrorText();
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSessions(await gateway().account.sessions.query());
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, props.refreshKey]);

  const run = async (key: string, action: () => Promise<unknown>) => {
    setBusy(key);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
      await load();
    }
  };

  const others = sessions?.filter((s) => !s.current) ?? [];
  return (
    <section aria-labelledby="settings-sessions" className="space-y-3">
      <h3 id="settings-sessions" className="text-sm font-semibold text-slate-900">
        Signed-in devices
      </h3>
      {sessions === null && !error ? <p className="text-sm text-slate-500">Loading…</p> : null}
      {error ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
      <ul className="space-y-2" data-testid="sessions">
        {(sessions ?? []).map((s) => (
          <li key={s.id} className="flex items-start gap-3 rounded-md border border-slate-200 p-3" data-testid="session" data-current={s.current || undefined}>
            <div className="min-w-0 flex-1 text-sm">
              <p className="font-medium text-slate-900">
                {deviceName(s.userAgent)}
                {s.current ? <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">This device</span> : null}
              </p>
              <p className="text-xs text-slate-600">
                {s.ip ?? "Unknown address"} · signed in {new Date(s.createdAt).toLocaleString()} · last used {new Date(s.lastUsedAt).toLocaleString()}
              </p>
            </div>
            {s.current ? null : (
              <Button variant="secondary" size="sm" disabled={busy !== null} onClick={() => void run(s.id, () => gateway().account.signOutSession.mutate({ sessionId: s.id }))} aria-label={`Sign out ${deviceName(s.userAgent)}, last used ${new Date(s.lastUsedAt).toLocaleString()}`}>
                Sign out
              </Button>
            )}
          </li>
        ))}
      </ul>
      {others.length > 0 ? (
        <Button variant="secondary" disabled={busy !== null} onClick={() => void run("others", () => gateway().account.signOutOthers.mutate())}>
          Sign out all other devices
        </Button>
      ) : null}
    </section>
  );
}
