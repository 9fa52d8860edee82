"use client";
import { useState } from "react";
import { Limits } from "@dim/shared";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { useTranslations } from "@/i18n";

/** The group's name, editable by its owner and admins. */
export function RenameForm(props: { title: string; busy: boolean; onRename: (title: string) => Promise<boolean> }) {
  const t = useTranslations("members");
  const [title, setTitle] = useState(props.title);
  const unchanged = title.trim() === props.title || title.trim() === "";
  return (
    <form
      className="flex items-end gap-2 px-4 py-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (!unchanged) void props.onRename(title.trim());
      }}
    >
      <TextField className="flex-1" label={t("groupName")} name="rename-group" value={title} maxLength={Limits.groupTitleMax} autoComplete="off" onChange={(e) => setTitle(e.target.value)} />
      <Button type="submit" variant="secondary" disabled={unchanged || props.busy}>
        {props.busy ? t("saving") : t("rename")}
      </Button>
    </form>
  );
}
