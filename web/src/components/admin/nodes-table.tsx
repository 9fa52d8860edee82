"use client";
import { useCallback, useEffect, useState } from "react";
import type { AdminNodesOutput } from "@dim/shared";
import { toAppError } from "@dim/client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { uptimeText } from "@/lib/admin-format";
import { useErrorText } from "@/hooks/use-error-text";
import { gateway } from "@/lib/gateway";
import { AdminSection } from "./admin-section";

/** The live core nodes (admin.nodes); refreshed on demand. */
export function NodesTable() {
  const errorText = useErrorText();
  const [data, setData] = useState<AdminNodesOutput | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setData(await gateway().admin.nodes.query());
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  return (
    <AdminSection title="Nodes" id="admin-nodes" actions={<Button variant="secondary" size="sm" onClick={() => void load()}>Refresh</Button>}>
      {error ? <Alert>{error}</Alert> : null}
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
              </tr>
            </thead>
            <tbody>
              {data.nodes.map((n) => (
                <tr key={n.nodeId} className="border-t border-slate-200 text-slate-800">
                  <th scope="row" className="py-1.5 pr-3 font-medium">{n.nodeId}</th>
                  <td className="py-1.5 pr-3">{n.epoch}</td>
                  <td className="py-1.5 pr-3">{uptimeText(n.uptimeSeconds)}</td>
                  <td className="py-1.5 pr-3">{n.connections}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="mt-2 text-xs text-slate-600">Message rates are not reported to the registry yet; see each node&apos;s /metrics.</p>
    </AdminSection>
  );
}
