"use client";
import { useState } from "react";
import { ErrorCode } from "@dim/shared";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { useErrorText } from "@/hooks/use-error-text";
import { shownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";

/** account.delete, confirmed with the password. */
export function DeleteAccountSection(props: { onDeleted: () => void }) {
  const errorText = useErrorText();
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await gateway().account.delete.mutate({ password });
      props.onDeleted();
    } catch (e) {
      const shown = shownError(e);
      setError(shown.code === ErrorCode.InvalidCredentials ? "That password is not right." : errorText(shown));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="settings-delete" className="space-y-3">
      <h3 id="settings-delete" className="text-sm font-semibold text-red-700">
        Delete account
      </h3>
      <p className="text-sm text-slate-600">
        Your messages stay, shown as from “Deleted user”. You leave your groups (a group you own passes to its longest-standing admin or member), your contacts are removed, and every device is signed out. Your username becomes free for others. This cannot be undone.
      </p>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          void remove();
        }}
      >
        <TextField label="Your password, to confirm" name="delete-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error ?? undefined} />
        <Button type="submit" variant="danger" disabled={busy || password === ""}>
          {busy ? "Deleting…" : "Delete my account"}
        </Button>
      </form>
    </section>
  );
}
