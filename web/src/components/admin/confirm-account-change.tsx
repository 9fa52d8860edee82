"use client";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useTranslations } from "@/i18n";

/** Asks before an account is disabled or enabled (Escape or Cancel keeps it as it is). */
export function ConfirmAccountChange(props: {
  kind: "disable" | "enable";
  username: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const disable = props.kind === "disable";
  const t = useTranslations("admin.confirm");
  return (
    <Dialog
      open
      onClose={props.onCancel}
      testId="admin-confirm"
      title={disable ? t("disableTitle", { username: props.username }) : t("enableTitle", { username: props.username })}
      description={
        disable ? t("disableDescription") : t("enableDescription")
      }
    >
      <div className="flex justify-end gap-2 p-4">
        <Button variant="secondary" onClick={props.onCancel} disabled={props.busy}>{t("cancel")}</Button>
        <Button variant={disable ? "danger" : "primary"} onClick={props.onConfirm} disabled={props.busy}>
          {disable ? t("disable") : t("enable")}
        </Button>
      </div>
    </Dialog>
  );
}
