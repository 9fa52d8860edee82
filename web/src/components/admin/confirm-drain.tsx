"use client";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";

/** Asks before a node is drained (Escape or Cancel leaves it running). */
export function ConfirmDrain(props: { nodeId: string; connections: number; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const n = props.connections;
  return (
    <Dialog
      open
      onClose={props.onCancel}
      testId="admin-confirm-drain"
      title={`Drain ${props.nodeId}?`}
      description={`It takes no new connections from now on, moves its ${n} connection${n === 1 ? "" : "s"} to the other nodes a few at a time, then stops. It cannot be undone from here: start the node again to bring it back.`}
    >
      <div className="flex justify-end gap-2 p-4">
        <Button variant="secondary" onClick={props.onCancel} disabled={props.busy}>Cancel</Button>
        <Button variant="danger" onClick={props.onConfirm} disabled={props.busy}>Drain node</Button>
      </div>
    </Dialog>
  );
}
