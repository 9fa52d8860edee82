"use client";
import { useEffect, useId, useState } from "react";
import { useErrorText } from "@/hooks/use-error-text";
import { gateway } from "@/lib/gateway";

/**
 * "Hide my last seen" (gateway `privacy.get` / `privacy.set`): the core nodes then show nobody my
 * last seen, and show me nobody's. Online stays visible both ways.
 */
export function PrivacyToggle() {
  const errorText = useErrorText();
  const id = useId();
  const [hidden, setHidden] = useState<boolean | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    gateway()
      .privacy.get.query()
      .then((s) => live && setHidden(s.hideLastSeen))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  const change = async (next: boolean) => {
    setSaving(true);
    setError(null);
    try {
      setHidden((await gateway().privacy.set.mutate({ hideLastSeen: next })).hideLastSeen);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <div className="mt-2 text-xs text-slate-700">
      <label htmlFor={id} className="flex items-center gap-2">
        <input id={id} type="checkbox" data-testid="hide-last-seen" checked={hidden ?? false} disabled={hidden === null || saving} onChange={(e) => void change(e.currentTarget.checked)} />
        Hide my last seen <span className="text-slate-600">(you will not see others’ either)</span>
      </label>
      {error ? (
        <p role="alert" className="mt-1 text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
