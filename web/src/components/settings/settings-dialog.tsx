"use client";
import { useState } from "react";
import type { BlockedUser, PublicUser } from "@dim/shared";
import type { ShownError } from "@/lib/errors";
import { BlockedSection } from "./blocked-section";
import { Dialog } from "@/components/ui/dialog";
import type { NotificationSettingsState } from "@/hooks/use-notification-settings";
import { useTranslations } from "@/i18n";
import { DeleteAccountSection } from "./delete-account-section";
import { LanguageSection } from "./language-section";
import { NotificationsSection } from "./notifications-section";
import { PasswordSection } from "./password-section";
import { PreferencesSection } from "./preferences-section";
import { ProfileSection } from "./profile-section";
import { SessionsSection } from "./sessions-section";

/** Settings: profile, language, notifications, password, signed-in devices, blocked users, this device's choices, deleting the account. */
export function SettingsDialog(props: {
  open: boolean;
  onClose: () => void;
  me: PublicUser;
  onProfileChanged: (me: PublicUser) => void;
  onSignedOut: () => void;
  notifications: NotificationSettingsState;
  blocked: BlockedUser[];
  onUnblock: (userId: string) => Promise<ShownError | null>;
}) {
  const [sessionsKey, setSessionsKey] = useState(0);
  const t = useTranslations("settings");
  return (
    <Dialog open={props.open} onClose={props.onClose} title={t("title")} description={t("description")} testId="settings-dialog">
      <div className="space-y-6 p-4">
        <ProfileSection me={props.me} onChanged={props.onProfileChanged} />
        <hr className="border-slate-200" />
        <LanguageSection />
        <hr className="border-slate-200" />
        <NotificationsSection state={props.notifications} />
        <hr className="border-slate-200" />
        <PasswordSection onOthersSignedOut={() => setSessionsKey((k) => k + 1)} />
        <hr className="border-slate-200" />
        <SessionsSection refreshKey={sessionsKey} />
        <hr className="border-slate-200" />
        <PreferencesSection />
        <BlockedSection blocked={props.blocked} onUnblock={props.onUnblock} />
        <hr className="border-slate-200" />
        <DeleteAccountSection onDeleted={props.onSignedOut} />
      </div>
    </Dialog>
  );
}
