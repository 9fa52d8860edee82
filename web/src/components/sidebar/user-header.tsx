import type { PublicUser } from "@dim/shared";
import { ThemeToggle } from "@/components/theme-toggle";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import type { NotificationPermissionState } from "@/hooks/use-notifications";

export function UserHeader(props: {
  user: PublicUser;
  onLogout: () => void;
  loggingOut: boolean;
  notifications: NotificationPermissionState;
  onEnableNotifications: () => void;
}) {
  const { user } = props;
  return (
    <div className="border-b border-slate-200 px-4 py-3">
      <div className="flex items-center gap-3">
        <Avatar name={user.displayName} seed={user.id} />
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-semibold text-slate-900" data-testid="me">
            {user.displayName}
          </p>
          <p className="truncate text-xs text-slate-500">@{user.username}</p>
        </div>
        <ThemeToggle />
        <Button variant="secondary" size="sm" onClick={props.onLogout} disabled={props.loggingOut}>
          {props.loggingOut ? "Signing out…" : "Log out"}
        </Button>
      </div>
      {props.notifications === "default" ? (
        <Button variant="ghost" size="sm" className="mt-2 w-full justify-start" onClick={props.onEnableNotifications} data-testid="enable-notifications">
          <span aria-hidden>🔔</span> Notify me of new messages while DIM is in the background
        </Button>
      ) : null}
    </div>
  );
}
