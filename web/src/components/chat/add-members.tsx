"use client";
import { useState } from "react";
import type { PublicUser } from "@dim/shared";
import { PeoplePicker } from "@/components/people-picker";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";

/** Contacts not in the group yet, to add (owner and admins). */
export function AddMembers(props: { candidates: PublicUser[]; busy: boolean; onAdd: (userIds: string[]) => Promise<boolean> }) {
  const t = useTranslations("members");
  const [open, setOpen] = useState(false);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  if (!open) {
    return (
      <div className="px-4 py-2">
        <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>
          {t("addPeopleButton")}
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
      <PeoplePicker legend={t("addPeople")} people={props.candidates} picked={picked} onChange={setPicked} empty={t("allIn")} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" size="sm" onClick={() => setOpen(false)}>
          {t("cancel")}
        </Button>
        <Button type="submit" size="sm" disabled={picked.size === 0 || props.busy}>
          {props.busy ? t("adding") : t("add", { count: picked.size })}
        </Button>
      </div>
    </form>
  );
}
