"use client";
import type { Contact, ContactPresence } from "@dim/shared";
import { useFormatter, useTranslations } from "@/i18n";
import { presenceText } from "@/lib/presence-text";
import { ContactActions, type ContactActionsApi } from "@/components/contacts/contact-actions";
import { Avatar } from "@/components/ui/avatar";
import { SidebarSection } from "./section";

export function ContactList({
  contacts,
  onOpen,
  presence,
  blockedIds,
  actions,
}: {
  contacts: Contact[];
  onOpen: (conversationId: string) => void;
  presence?: { byId: ReadonlyMap<string, ContactPresence>; now: Date };
  /** Contacts I blocked (badged; their menu offers "Unblock"). */
  blockedIds?: ReadonlySet<string>;
  /** Remove / block / unblock, from each contact's "⋯" menu. */
  actions?: ContactActionsApi;
}) {
  const t = useTranslations();
  const format = useFormatter();
  if (contacts.length === 0) return null;
  return (
    <SidebarSection title={t("contactList.title")} count={contacts.length}>
      <ul className="px-2">
        {contacts.map((c) => {
          const p = presence?.byId.get(c.user.id);
          const text = presenceText(p, t, format, presence?.now);
          return (
          <li key={c.user.id} data-testid="contact" data-online={p?.online ? "true" : "false"} data-blocked={blockedIds?.has(c.user.id) ? "true" : undefined} className="flex items-center gap-1">
            <button
              type="button"
              onClick={() => onOpen(c.conversationId)}
              className="flex min-w-0 flex-1 items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-slate-100"
            >
              {/* The name is the visible text (WCAG 2.5.3), with what the button does before it. */}
              <span className="sr-only">{t("contactList.chatWith")}</span>
              <span className="relative shrink-0">
                <Avatar name={c.user.displayName} seed={c.user.id} size="sm" src={c.user.avatarUrl} />
                {p?.online ? <span aria-hidden className="absolute -right-0.5 -bottom-0.5 h-2.5 w-2.5 rounded-full border-2 border-surface bg-green-600" /> : null}
              </span>
              <span className="min-w-0 flex-1">
                <span className="block truncate text-sm">{c.user.displayName}</span>
                {text ? (
                  <span className="block truncate text-[11px] text-slate-600" data-testid="contact-presence">
                    {text}
                  </span>
                ) : null}
              </span>
              <span className="truncate text-xs text-slate-600">@{c.user.username}</span>
              {blockedIds?.has(c.user.id) ? <BlockedBadge /> : null}
            </button>
            {actions ? <ContactActions user={c.user} isContact blocked={blockedIds?.has(c.user.id) ?? false} api={actions} /> : null}
          </li>
          );
        })}
      </ul>
    </SidebarSection>
  );
}

function BlockedBadge() {
  const t = useTranslations("contactActions");
  return <span className="shrink-0 rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-700">{t("blockedBadge")}</span>;
}
