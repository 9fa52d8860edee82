"use client";
import { useState } from "react";
import { createFileClient } from "@dim/client";
import { Limits, type PublicUser } from "@dim/shared";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { useObjectUrl } from "@/hooks/use-object-url";
import { useErrorText } from "@/hooks/use-error-text";
import { shownError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";

/** Name, status line and picture: account.updateProfile, then (a new picture) upload + setAvatar. */
export function ProfileSection(props: { me: PublicUser; onChanged: (me: PublicUser) => void }) {
  const errorText = useErrorText();
  const [name, setName] = useState(props.me.displayName);
  const [status, setStatus] = useState(props.me.statusText);
  const [picked, setPicked] = useState<File | null>(null);
  const preview = useObjectUrl(picked ? () => Promise.resolve(picked) : null, picked ? `${picked.name}:${picked.size}:${picked.lastModified}` : null).url;
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const save = async () => {
    setBusy(true);
    setMessage(null);
    try {
      let me = await gateway().account.updateProfile.mutate({ displayName: name, statusText: status });
      if (picked) {
        const upload = await createFileClient({ baseUrl: "" }).upload(picked, { name: picked.name || "avatar" });
        me = await gateway().account.setAvatar.mutate({ attachmentId: upload.id });
        setPicked(null);
      }
      props.onChanged(me);
      setMessage({ ok: true, text: "Profile saved." });
    } catch (e) {
      const shown = shownError(e);
      setMessage({ ok: false, text: shown.code === "INVALID_ATTACHMENT" ? "That file is not an image we can use. Pick a JPEG, PNG, WebP or GIF." : errorText(shown) });
    } finally {
      setBusy(false);
    }
  };

  const removePicture = async () => {
    setBusy(true);
    try {
      props.onChanged(await gateway().account.setAvatar.mutate({ attachmentId: null }));
      setMessage({ ok: true, text: "Picture removed." });
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="settings-profile" className="space-y-3">
      <h3 id="settings-profile" className="text-sm font-semibold text-slate-900">
        Profile
      </h3>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="flex items-center gap-3">
          <Avatar name={name || props.me.username} seed={props.me.id} size="lg" src={preview ?? props.me.avatarUrl} />
          <div className="space-y-1">
            <label className="block text-sm font-medium text-slate-700" htmlFor="settings-avatar">
              Picture
            </label>
            <input
              id="settings-avatar"
              data-testid="avatar-input"
              type="file"
              accept="image/jpeg,image/png,image/webp,image/gif"
              className="block w-full text-xs text-slate-700"
              onChange={(e) => setPicked(e.target.files?.[0] ?? null)}
            />
            {props.me.avatarUrl && !picked ? (
              <Button variant="ghost" size="sm" onClick={() => void removePicture()} disabled={busy}>
                Remove picture
              </Button>
            ) : null}
          </div>
        </div>
        <TextField label="Display name" name="display-name" value={name} maxLength={Limits.displayNameMax} onChange={(e) => setName(e.target.value)} autoComplete="name" />
        <TextField
          label="Status"
          name="status-text"
          value={status}
          hint={`Up to ${Limits.statusTextMax} characters; your contacts see it.`}
          onChange={(e) => setStatus(e.target.value)}
          autoComplete="off"
        />
        {message ? (
          <p role="status" className={`text-sm ${message.ok ? "text-slate-700" : "text-red-700"}`} data-testid="profile-message">
            {message.text}
          </p>
        ) : null}
        <Button type="submit" disabled={busy || name.trim() === ""}>
          {busy ? "Saving…" : "Save profile"}
        </Button>
      </form>
    </section>
  );
}
