import type { ConversationSummary } from "@dim/shared";

/** Where the composer was, in a group I left or was removed from. */
export function ReadOnlyNotice({ membership }: { membership: ConversationSummary["membership"] }) {
  return (
    <div className="border-t border-slate-200 bg-surface px-4 py-3 text-center text-sm text-slate-600" data-testid="read-only">
      {membership === "removed" ? "You were removed from this group" : "You left this group"}: you can read its messages up to then, but not send.
    </div>
  );
}
