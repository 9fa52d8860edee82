"use client";
import { useState } from "react";
import { Limits, type Contact } from "@dim/shared";
import { PeoplePicker } from "@/components/people-picker";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/text-field";
import { shownError } from "@/lib/errors";
import { useTranslations } from "@/i18n";
import { groupErrorText } from "@/lib/group-errors";
import { gateway } from "@/lib/gateway";

/** "New group": a title and contacts to add; `groups.create`, then the new group opens. */
export function NewGroupDialog(props: { open: boolean; onClose: () => void; contacts: Contact[]; onCreated: (conversationId: string) => void }) {
  const tErrors = useTranslations("errors");
  const [title, setTitle] = useState("");
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; title?: string } | null>(null);

  const close = () => {
    setTitle("");
    setPicked(new Set());
    setError(null);
    props.onClose();
  };

  const create = async () => {
    if (title.trim() === "") {
      setError({ message: "", title: "Give the group a name." });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { conversation } = await gateway().groups.create.mutate({ title: title.trim(), memberIds: [...picked] });
      props.onCreated(conversation.id);
      close();
    } catch (e) {
      const shown = shownError(e);
      // A field's message goes under the field, once; anything else in the alert.
      if (shown.fields?.title) setError({ message: "", title: shown.fields.title });
      else setError({ message: groupErrorText(shown, "create", tErrors) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={props.open} onClose={close} title="New group" description="Name it and pick who is in it; you can add more people later." testId="new-group-dialog">
      <form
        className="space-y-4 p-4"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <TextField
          label="Group name"
          name="group-title"
          value={title}
          maxLength={Limits.groupTitleMax}
          autoComplete="off"
          onChange={(e) => {
            setTitle(e.target.value);
            if (error?.title) setError(null);
          }}
          error={error?.title}
        />
        <PeoplePicker
          legend="Members"
          people={props.contacts.map((c) => c.user)}
          picked={picked}
          onChange={setPicked}
          empty="No contacts yet: you can create the group alone and add people once they are your contacts."
        />
        {error?.message ? <Alert>{error.message}</Alert> : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create group"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
