"use client";
import { useState } from "react";
import type { PublicUser } from "@dim/shared";
import { PeoplePicker } from "@/components/people-picker";
import { Button } from "@/components/ui/button";

/** Contacts not in the group yet, to add (owner and admins). */
export function AddMembers(props: { candidates: PublicUser[]; busy: boolean; onAdd: (userIds: string[]) => Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  if (!open) {
    return (
      <div className="px-4 py-2">
        <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>
          + Add people
        </Button>
      </div>
    );
  }
  return (
    <form
      className="space-y-2 px-4 py-3"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onAdd([...picked]).then((ok) => {
          if (ok) {
            setPicked(new Set());
            setOpen(false);
          }
        });
      }}
    >
      <PeoplePicker legend="Add people" people={props.candidates} picked={picked} onChange={setPicked} empty="All your contacts are in this group already." />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" size="sm" onClick={() => setOpen(false)}>
          Cancel
        </Button>
        <Button type="submit" size="sm" disabled={picked.size === 0 || props.busy}>
          {props.busy ? "Adding…" : picked.size > 0 ? `Add ${picked.size}` : "Add"}
        </Button>
      </div>
    </form>
  );
}
