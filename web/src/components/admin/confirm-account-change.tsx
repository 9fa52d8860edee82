"use client";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";

/** Asks before an account is disabled or enabled (Escape or Cancel keeps it as it is). */
export function ConfirmAccountChange(props: {
  kind: "disable" | "enable";
  username: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const disable = props.kind === "disable";
  return (
    <Dialog
      open
      onClose={props.onCancel}
      testId="admin-confirm"
      title={disable ? `Disable ${props.username}?` : `Enable ${props.username}?`}
      description={
        disable
          ? "They are signed out on every device at once and cannot sign in until an administrator enables the account."
          : "They can sign in again. Their old sessions stay ended."
      }
    >
      <div className="flex justify-end gap-2 p-4">
        <Button variant="secondary" onClick={props.onCancel} disabled={props.busy}>Cancel</Button>
        <Button variant={disable ? "danger" : "primary"} onClick={props.onConfirm} disabled={props.busy}>
          {disable ? "Disable account" : "Enable account"}
        </Button>
      </div>
    </Dialog>
  );
}
