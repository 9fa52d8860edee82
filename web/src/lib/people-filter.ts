import type { PublicUser } from "@dim/shared";

/** Whether someone matches a filter typed by the person (display name or username, any case). */
export function matchesFilter(user: PublicUser, filter: string): boolean {
  const f = filter.trim().toLowerCase().replace(/^@/, "");
  return f === "" || user.displayName.toLowerCase().includes(f) || user.username.toLowerCase().includes(f);
}
