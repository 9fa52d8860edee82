"use client";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useTranslations } from "@/i18n";

/** Asks before a node is drained (Escape or Cancel leaves it running). */
export function ConfirmDrain(props: { nodeId: string; connections: number; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const t = useTranslations("admin.drain");
  const common = useTranslations("common");
  return (
    <Dialog
      open
      onClose={props.onCancel}
      testId="admin-confirm-drain"
      title={t("title", { nodeId: props.nodeId })}
      description={t("description", { count: props.connections })}
    >
      <div className="flex justify-end gap-2 p-4">
        <Button variant="secondary" onClick={props.onCancel} disabled={props.busy}>{common("cancel")}</Button>
        <Button variant="danger" onClick={props.onConfirm} disabled={props.busy}>{t("confirm")}</Button>
      </div>
    </Dialog>
  );
}
