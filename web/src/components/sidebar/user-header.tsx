import Link from "next/link";
import type { PublicUser } from "@dim/shared";
import { ThemeToggle } from "@/components/theme-toggle";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";
import { PrivacyToggle } from "./privacy-toggle";
import type { NotificationPermissionState } from "@/hooks/use-notifications";

export function UserHeader(props: {
  user: PublicUser & { isAdmin?: boolean };
  onLogout: () => void;
  onOpenSettings: () => void;
  loggingOut: boolean;
  notifications: NotificationPermissionState;
  onEnableNotifications: () => void;
}) {
  const { user } = props;
  const t = useTranslations("header");
  return (
    <div className="border-b border-slate-200 px-4 py-3">
      {/* The buttons wrap under the name rather than squeezing it away (longer words in some languages). */}
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <Avatar name={user.displayName} seed={user.id} src={user.avatarUrl} />
        <div className="min-w-[7rem] flex-1">
          <p className="truncate text-sm font-semibold text-slate-900" data-testid="me">
            {user.displayName}
          </p>
          <p className="truncate text-xs text-slate-500">{user.statusText || `@${user.username}`}</p>
        </div>
        <ThemeToggle />
        {user.isAdmin ? (
          <Link href="/admin" className="rounded-md px-2 py-1 text-xs font-medium text-brand-700 hover:bg-slate-100 dark:text-sky-300" data-testid="admin-link">
            {t("admin")}
          </Link>
        ) : null}
        <Button variant="ghost" size="sm" onClick={props.onOpenSettings} data-testid="open-settings">
          {t("settings")}
        </Button>
        <Button variant="secondary" size="sm" onClick={props.onLogout} disabled={props.loggingOut}>
          {props.loggingOut ? t("signingOut") : t("logOut")}
        </Button>
      </div>
      <PrivacyToggle />
      {props.notifications === "default" ? (
        <Button variant="ghost" size="sm" className="mt-2 w-full justify-start text-left" onClick={props.onEnableNotifications} data-testid="enable-notifications">
          <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4 shrink-0 fill-current">
            <path d="M10 2a5 5 0 0 0-5 5v3.6L3.3 13.3A1 1 0 0 0 4.2 15h11.6a1 1 0 0 0 .9-1.7L15 10.6V7a5 5 0 0 0-5-5Zm-2 14a2 2 0 0 0 4 0H8Z" />
          </svg>
          {t("enableNotifications")}
        </Button>
      ) : null}
    </div>
  );
}
