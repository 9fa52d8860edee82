"use client";
import { useCallback, useEffect, useState } from "react";
import type { AdminNodesOutput } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { usePolling } from "@/hooks/use-polling";
import { useErrorText } from "@/hooks/use-error-text";
import { useFormatter, useTranslations } from "@/i18n";
import { uptimeText } from "@/lib/admin-format";
import { gateway } from "@/lib/gateway";
import { AdminSection } from "./admin-section";
import { ConfirmDrain } from "./confirm-drain";

type AdminNode = AdminNodesOutput["nodes"][number];

/** Nodes report their message rates every 5 s: refreshing faster shows nothing new. */
const REFRESH_MS = 5_000;

/** The live core nodes (admin.nodes), refreshed every few seconds; a drain button per node (admin.drainNode). */
export function NodesTable(props: { onAudited: () => void }) {
  const t = useTranslations();
  const format = useFormatter();
  // "0", "3.4", "1,250": one decimal below 100 a second, in the reader's locale.
  const rate = (perSecond: number) => t("admin.nodes.perSecond", { rate: format.number(perSecond, { maximumFractionDigits: perSecond >= 100 ? 0 : 1 }) });
  const errorText = useErrorText();
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
      setError(errorText(err));
    }
  }, [errorText]);
  useEffect(() => void load(), [load]);
  usePolling(() => void load(), REFRESH_MS);

  const drain = async (node: AdminNode) => {
    setBusy(true);
    setStatus(null);
    try {
      const out = await gateway().admin.drainNode.mutate({ nodeId: node.nodeId, epoch: node.epoch });
      setStatus(out.alreadyDraining ? t("admin.nodes.alreadyDraining", { nodeId: node.nodeId }) : t("admin.nodes.drainStarted", { nodeId: node.nodeId }));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setConfirming(null);
      setBusy(false);
      props.onAudited();
      await load();
    }
  };

  return (
    <AdminSection title={t("admin.nodes.title")} id="admin-nodes" actions={<Button variant="secondary" size="sm" onClick={() => void load()}>{t("admin.refresh")}</Button>}>
      <div aria-live="polite" className="flex flex-col gap-2 empty:hidden">
        {error ? <Alert>{error}</Alert> : null}
        {status ? <Alert tone="info">{status}</Alert> : null}
      </div>
      {data && data.nodes.length === 0 ? <p className="text-sm text-slate-600">{t("admin.nodes.none")}</p> : null}
      {data && data.nodes.length > 0 ? (
        <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={t("admin.nodes.title")}>
          <table className="w-full text-left text-sm" data-testid="admin-nodes">
            <thead className="text-xs text-slate-600">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">{t("admin.nodes.node")}</th>
                <th scope="col" className="py-1 pr-3 font-medium">{t("admin.nodes.epoch")}</th>
                <th scope="col" className="py-1 pr-3 font-medium">{t("admin.nodes.uptime")}</th>
                <th scope="col" className="py-1 pr-3 font-medium">{t("admin.nodes.connections")}</th>
                <th scope="col" className="py-1 pr-3 font-medium">{t("admin.nodes.messagesIn")}</th>
                <th scope="col" className="py-1 pr-3 font-medium">{t("admin.nodes.messagesOut")}</th>
                <th scope="col" className="py-1 pr-3 font-medium"><span className="sr-only">{t("admin.nodes.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {data.nodes.map((n) => (
                <tr key={n.nodeId} data-node-id={n.nodeId} className="border-t border-slate-200 text-slate-800">
                  <th scope="row" className="py-1.5 pr-3 font-medium">
                    {n.nodeId}
                    {n.draining ? <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">{t("admin.nodes.draining")}</span> : null}
                  </th>
                  <td className="py-1.5 pr-3">{n.epoch}</td>
                  <td className="py-1.5 pr-3">{uptimeText(n.uptimeSeconds, t)}</td>
                  <td className="py-1.5 pr-3">{n.connections}</td>
                  <td className="py-1.5 pr-3" data-testid="rate-in">{rate(n.messagesInPerSec)}</td>
                  <td className="py-1.5 pr-3" data-testid="rate-out">{rate(n.messagesOutPerSec)}</td>
                  <td className="py-1.5 pr-3 text-right">
                    <Button variant="danger" size="sm" disabled={busy || n.draining} onClick={() => setConfirming(n)} aria-label={t("admin.nodes.drainLabel", { nodeId: n.nodeId })}>
                      {t("admin.nodes.drain")}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="mt-2 text-xs text-slate-600">{t("admin.nodes.footnote")}</p>
      {confirming ? (
        <ConfirmDrain nodeId={confirming.nodeId} connections={confirming.connections} busy={busy} onConfirm={() => void drain(confirming)} onCancel={() => setConfirming(null)} />
      ) : null}
    </AdminSection>
  );
}
