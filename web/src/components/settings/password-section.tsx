"use client";
import { useState } from "react";
import { ErrorCode, Limits } from "@dim/shared";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { useErrorText } from "@/hooks/use-error-text";
import { shownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";

/** account.changePassword: this device stays signed in, every other one is signed out. */
export function PasswordSection(props: { onOthersSignedOut: () => void }) {
  const errorText = useErrorText();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const change = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const { signedOut } = await gateway().account.changePassword.mutate({ currentPassword: current, newPassword: next });
      setCurrent("");
      setNext("");
      setMessage({ ok: true, text: signedOut === 1 ? "Password changed. 1 other device was signed out." : `Password changed. ${signedOut} other devices were signed out.` });
      props.onOthersSignedOut();
    } catch (e) {
      const shown = shownError(e);
      setMessage({ ok: false, text: shown.code === ErrorCode.InvalidCredentials ? "Your current password is not right." : errorText(shown) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="settings-password" className="space-y-3">
      <h3 id="settings-password" className="text-sm font-semibold text-slate-900">
        Password
      </h3>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          void change();
        }}
      >
        <TextField label="Current password" name="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        <TextField
          label="New password"
          name="new-password"
          type="password"
          autoComplete="new-password"
          minLength={Limits.passwordMin}
          maxLength={Limits.passwordMax}
          hint={`At least ${Limits.passwordMin} characters. Your other devices will be signed out.`}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        {message ? (
          <p role="status" className={`text-sm ${message.ok ? "text-slate-700" : "text-red-700"}`} data-testid="password-message">
            {message.text}
          </p>
        ) : null}
        <Button type="submit" disabled={busy || current === "" || next.length < Limits.passwordMin}>
          {busy ? "Changing…" : "Change password"}
        </Button>
      </form>
    </section>
  );
}
