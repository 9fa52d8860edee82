import type { PublicUser } from "@dim/shared";
import { Avatar } from "./avatar";

/** A person to pick, as a labelled checkbox row (the whole row toggles it). */
export function PersonCheckbox({ user, checked, onChange, disabled }: { user: PublicUser; checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean }) {
  return (
    <label className={`flex items-center gap-3 rounded-md px-2 py-1.5 ${disabled ? "opacity-60" : "cursor-pointer hover:bg-slate-100"}`}>
      <input
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        className="h-4 w-4 shrink-0 accent-brand-600"
        data-testid="pick-person"
        data-username={user.username}
      />
      <Avatar name={user.displayName} seed={user.id} size="sm" src={user.avatarUrl} />
      <span className="min-w-0 flex-1 truncate text-sm text-slate-900">{user.displayName}</span>
      <span className="truncate text-xs text-slate-600">@{user.username}</span>
    </label>
  );
}
