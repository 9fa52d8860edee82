import type { Contact } from "@dim/shared";
import { Avatar } from "@/components/ui/avatar";
import { SidebarSection } from "./section";

export function ContactList({ contacts, onOpen }: { contacts: Contact[]; onOpen: (conversationId: string) => void }) {
  if (contacts.length === 0) return null;
  return (
    <SidebarSection title="Contacts" count={contacts.length}>
      <ul className="px-2">
        {contacts.map((c) => (
          <li key={c.user.id}>
            <button
              type="button"
              onClick={() => onOpen(c.conversationId)}
              className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-slate-100"
            >
              {/* The name is the visible text (WCAG 2.5.3), with what the button does before it. */}
              <span className="sr-only">Chat with </span>
              <Avatar name={c.user.displayName} seed={c.user.id} size="sm" src={c.user.avatarUrl} />
              <span className="min-w-0 flex-1 truncate text-sm">{c.user.displayName}</span>
              <span className="truncate text-xs text-slate-600">@{c.user.username}</span>
            </button>
          </li>
        ))}
      </ul>
    </SidebarSection>
  );
}
