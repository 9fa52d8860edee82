"use client";
import { useEffect, useState } from "react";
import type { ReadersOutput } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useErrorText } from "@/hooks/use-error-text";
import { gateway } from "@/lib/gateway";
import { rememberPeople } from "@/lib/people";

/** Who has read an own group message (`conversations.readers` at its seq), page by page. */
export function ReadersDialog(props: { conversationId: string; seq: number | null; onClose: () => void }) {
  const errorText = useErrorText();
  const { conversationId, seq } = props;
  const [data, setData] = useState<ReadersOutput | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = async (cursor?: string) => {
    if (seq === null) return;
    setLoading(true);
    setError(null);
    try {
      const page = await gateway().conversations.readers.query({ conversationId, seq, ...(cursor ? { cursor } : {}) });
      rememberPeople(page.readers.map((r) => r.user));
      setData((d) => (cursor && d ? { ...page, readers: [...d.readers, ...page.readers] } : page));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    setData(null);
    void load();
    // Once per message opened.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId, seq]);

  return (
    <Dialog
      open={seq !== null}
      onClose={props.onClose}
      title="Read by"
      description={data ? `${data.readCount} of ${data.memberCount} have read this message` : undefined}
      testId="readers-dialog"
    >
      {error ? (
        <div className="p-4">
          <Alert>{error}</Alert>
        </div>
      ) : null}
      {data && data.readers.length === 0 ? <p className="px-4 py-3 text-sm text-slate-500">Nobody has read it yet.</p> : null}
      <ul aria-label="Readers" className="divide-y divide-slate-100">
        {data?.readers.map((r) => (
          <li key={r.user.id} className="flex items-center gap-3 px-4 py-2" data-testid="reader" data-username={r.user.username}>
            <Avatar name={r.user.displayName} seed={r.user.id} size="sm" src={r.user.avatarUrl} />
            <span className="min-w-0 flex-1 truncate text-sm text-slate-900">{r.user.displayName}</span>
            <span className="truncate text-xs text-slate-500">@{r.user.username}</span>
          </li>
        ))}
      </ul>
      {loading ? (
        <p role="status" className="px-4 py-2 text-sm text-slate-500">
          Loading…
        </p>
      ) : data?.nextCursor ? (
        <div className="px-4 py-2">
          <Button variant="secondary" size="sm" onClick={() => void load(data.nextCursor ?? undefined)}>
            Show more
          </Button>
        </div>
      ) : null}
    </Dialog>
  );
}
