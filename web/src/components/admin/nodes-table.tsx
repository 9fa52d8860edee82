"use client";
import { useCallback, useEffect, useState } from "react";
import type { AdminNodesOutput } from "@dim/shared";
import { toAppError } from "@dim/client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { usePolling } from "@/hooks/use-polling";
import { rateText, uptimeText } from "@/lib/admin-format";
import { friendlyMessage, shownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";
import { AdminSection } from "./admin-section";
import { ConfirmDrain } from "./confirm-drain";

type AdminNode = AdminNodesOutput["nodes"][number];

/** Nodes report their message rates every 5 s: refreshing faster shows nothing new. */
const REFRESH_MS = 5_000;

/** The live core nodes (admin.nodes), refreshed every few seconds; a drain button per node (admin.drainNode). */
export function NodesTable(props: { onAudited: () => void }) {
  const [data, setData] = useState<AdminNodesOutput | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<AdminNode | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    try {
      setData(await gateway().admin.nodes.query());
      setError(null);
    } catch (err) {
      setError(friendlyMessage(shownError(toAppError(err))));
    }
  }, []);
  useEffect(() => void load(), [load]);
  usePolling(() => void load(), REFRESH_MS);

  const drain = async (node: AdminNode) => {
    setBusy(true);
    setStatus(null);
    try {
      const out = await gateway().admin.drainNode.mutate({ nodeId: node.nodeId, epoch: node.epoch });
      setStatus(out.alreadyDraining ? `${node.nodeId} was already draining.` : `${node.nodeId} is draining: its clients move to the other nodes, then it stops.`);
      setError(null);
    } catch (err) {
      setError(friendlyMessage(shownError(toAppError(err))));
    } finally {
      setConfirming(null);
      setBusy(false);
      props.onAudited();
      await load();
    }
  };

  return (
    <AdminSection title="Nodes" id="admin-nodes" actions={<Button variant="secondary" size="sm" onClick={() => void load()}>Refresh</Button>}>
      <div aria-live="polite" className="flex flex-col gap-2 empty:hidden">
        {error ? <Alert>{error}</Alert> : null}
        {status ? <Alert tone="info">{status}</Alert> : null}
      </div>
      {data && data.nodes.length === 0 ? <p className="text-sm text-slate-600">No core node is live.</p> : null}
      {data && data.nodes.length > 0 ? (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="admin-nodes">
            <thead className="text-xs text-slate-600">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">Node</th>
                <th scope="col" className="py-1 pr-3 font-medium">Epoch</th>
                <th scope="col" className="py-1 pr-3 font-medium">Up for</th>
                <th scope="col" className="py-1 pr-3 font-medium">Connections</th>
                <th scope="col" className="py-1 pr-3 font-medium">Messages in</th>
                <th scope="col" className="py-1 pr-3 font-medium">Messages out</th>
                <th scope="col" className="py-1 pr-3 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {data.nodes.map((n) => (
                <tr key={n.nodeId} data-node-id={n.nodeId} className="border-t border-slate-200 text-slate-800">
                  <th scope="row" className="py-1.5 pr-3 font-medium">
                    {n.nodeId}
                    {n.draining ? <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">draining</span> : null}
                  </th>
                  <td className="py-1.5 pr-3">{n.epoch}</td>
                  <td className="py-1.5 pr-3">{uptimeText(n.uptimeSeconds)}</td>
                  <td className="py-1.5 pr-3">{n.connections}</td>
                  <td className="py-1.5 pr-3" data-testid="rate-in">{rateText(n.messagesInPerSec)}</td>
                  <td className="py-1.5 pr-3" data-testid="rate-out">{rateText(n.messagesOutPerSec)}</td>
                  <td className="py-1.5 pr-3 text-right">
                    <Button variant="danger" size="sm" disabled={busy || n.draining} onClick={() => setConfirming(n)} aria-label={`Drain ${n.nodeId}`}>
                      Drain
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="mt-2 text-xs text-slate-600">Messages per second, as each node measured them over its last 5 seconds. Draining a node moves its clients to the others, then stops it.</p>
      {confirming ? (
        <ConfirmDrain nodeId={confirming.nodeId} connections={confirming.connections} busy={busy} onConfirm={() => void drain(confirming)} onCancel={() => setConfirming(null)} />
      ) : null}
    </AdminSection>
  );
}
