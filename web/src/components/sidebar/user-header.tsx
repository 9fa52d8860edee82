import type { PublicUser } from "@dim/shared";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";

export function UserHeader({ user, onLogout, loggingOut }: { user: PublicUser; onLogout: () => void; loggingOut: boolean }) {
  return (
    <div className="flex items-center gap-3 border-b border-slate-200 px-4 py-3">
      <Avatar name={user.displayName} seed={user.id} />
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-semibold text-slate-900" data-testid="me">
          {user.displayName}
        </p>
        <p className="truncate text-xs text-slate-500">@{user.username}</p>
      </div>
      <Button variant="secondary" size="sm" onClick={onLogout} disabled={loggingOut}>
        {loggingOut ? "Signing out…" : "Log out"}
      </Button>
    </div>
  );
}
