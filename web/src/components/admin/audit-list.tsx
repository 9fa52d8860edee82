"use client";
import { useCallback, useEffect, useState } from "react";
import type { AdminAuditEntry } from "@dim/shared";
import { toAppError } from "@dim/client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { auditText, whenText } from "@/lib/admin-format";
import { useErrorText } from "@/hooks/use-error-text";
import { gateway } from "@/lib/gateway";
import { AdminSection } from "./admin-section";

/** The audit of admin actions, newest first; older pages on demand. */
export function AuditList({ version }: { version: number }) {
  const errorText = useErrorText();
  const [entries, setEntries] = useState<AdminAuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async (from?: string) => {
    try {
      const page = await gateway().admin.audit.query(from ? { cursor: from, limit: 50 } : { limit: 50 });
      setEntries((old) => (from ? [...old, ...page.entries] : page.entries));
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);
  useEffect(() => void load(), [load, version]);

  return (
    <AdminSection title="Audit" id="admin-audit" actions={<Button variant="secondary" size="sm" onClick={() => void load()}>Refresh</Button>}>
      {error ? <Alert>{error}</Alert> : null}
      {entries.length === 0 && !error ? <p className="text-sm text-slate-600">No admin action yet.</p> : null}
      <ol className="flex flex-col divide-y divide-slate-200 text-sm" data-testid="admin-audit">
        {entries.map((e) => (
          <li key={e.id} className="flex flex-col py-1.5 sm:flex-row sm:gap-3">
            <span className="text-slate-800">{auditText(e)}</span>
            <time dateTime={e.at} className="text-xs text-slate-600 sm:ml-auto">{whenText(e.at)}</time>
          </li>
        ))}
      </ol>
      {cursor ? (
        <Button variant="ghost" size="sm" className="mt-2" onClick={() => void load(cursor)}>Show older</Button>
      ) : null}
    </AdminSection>
  );
}
