"use client";
import { useState } from "react";
import type { PublicUser } from "@dim/shared";
import { Dialog } from "@/components/ui/dialog";
import { DeleteAccountSection } from "./delete-account-section";
import { PasswordSection } from "./password-section";
import { PreferencesSection } from "./preferences-section";
import { ProfileSection } from "./profile-section";
import { SessionsSection } from "./sessions-section";

/** Settings: profile, password, signed-in devices, this device's choices, deleting the account. */
export function SettingsDialog(props: { open: boolean; onClose: () => void; me: PublicUser; onProfileChanged: (me: PublicUser) => void; onSignedOut: () => void }) {
  const [sessionsKey, setSessionsKey] = useState(0);
  return (
    <Dialog open={props.open} onClose={props.onClose} title="Settings" description="Your profile, password, signed-in devices and link previews." testId="settings-dialog">
      <div className="space-y-6 p-4">
        <ProfileSection me={props.me} onChanged={props.onProfileChanged} />
        <hr className="border-slate-200" />
        <PasswordSection onOthersSignedOut={() => setSessionsKey((k) => k + 1)} />
        <hr className="border-slate-200" />
        <SessionsSection refreshKey={sessionsKey} />
        <hr className="border-slate-200" />
        <PreferencesSection />
        <hr className="border-slate-200" />
        <DeleteAccountSection onDeleted={props.onSignedOut} />
      </div>
    </Dialog>
  );
}
