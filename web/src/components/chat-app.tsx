"use client";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import type { DimClient } from "@dim/client";
import { ErrorCode, type ConversationSummary, type PublicUser } from "@dim/shared";
import { ChatView } from "@/components/chat/chat-view";
import { ConnectionBanner } from "@/components/connection-banner";
import { AddContactForm } from "@/components/sidebar/add-contact-form";
import { ContactList } from "@/components/sidebar/contact-list";
import { ContactRequests } from "@/components/sidebar/contact-requests";
import { MessageSearch } from "@/components/sidebar/message-search";
import { ConversationList } from "@/components/sidebar/conversation-list";
import { SettingsDialog } from "@/components/settings/settings-dialog";
import { NewGroupDialog } from "@/components/sidebar/new-group-dialog";
import { UserHeader } from "@/components/sidebar/user-header";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useConnectionState } from "@/hooks/use-connection-state";
import { useContacts } from "@/hooks/use-contacts";
import { useConversations } from "@/hooks/use-conversations";
import { useDimClient } from "@/hooks/use-dim-client";
import { useNotificationSettings } from "@/hooks/use-notification-settings";
import { useNotifications } from "@/hooks/use-notifications";
import { usePeople } from "@/hooks/use-people";
import { usePresence } from "@/hooks/use-presence";
import { useSession } from "@/hooks/use-session";
import { useErrorText } from "@/hooks/use-error-text";
import { useTranslations } from "@/i18n";
import { gateway } from "@/lib/gateway";
import { clearAll } from "@/lib/idb-store";
import { directStateOf } from "@/lib/direct-state";
import { forgetPeople, rememberPeople } from "@/lib/people";

/** The main page: signed in → sidebar + chat; not signed in → /login. */
export function ChatApp({ maxUploadBytes }: { maxUploadBytes: number | null }) {
  const session = useSession();
  const router = useRouter();
  const t = useTranslations("common");
  useEffect(() => {
    if (session.status === "anonymous") router.replace("/login");
  }, [session.status, router]);

  if (session.status === "signed-in") return <SignedInApp me={session.user} maxUploadBytes={maxUploadBytes} />;
  return (
    <main className="flex h-full items-center justify-center p-6">
      {session.status === "error" ? (
        <div className="max-w-sm space-y-3 text-center">
          <Alert>{session.message}</Alert>
          <Button onClick={() => window.location.reload()}>{t("tryAgain")}</Button>
        </div>
      ) : (
        <p className="text-sm text-slate-500" role="status">
          {t("loading")}
        </p>
      )}
    </main>
  );
}

/** "Reconnect now": skip a running backoff, or start again after going offline. */
function reconnect(client: DimClient | null): void {
  if (!client) return;
  if (client.connectionState.status === "reconnecting") client.reconnectNow();
  else void client.connect();
}

function placeholderSummary(conversationId: string, peer: PublicUser, since: string): ConversationSummary {
  return {
    id: conversationId,
    kind: "direct",
    title: peer.displayName,
    peer,
    lastMessage: null,
    lastSeq: 0,
    readSeq: 0,
    deliveredSeq: 0,
    unreadCount: 0,
    unreadMentions: 0,
    peersDeliveredSeq: 0,
    peersReadSeq: 0,
    memberCount: 2,
    myRole: null,
    membership: "active",
    avatarAttachmentId: null,
    mutedUntil: null,
    updatedAt: since,
  };
}

function SignedInApp({ me: signedIn, maxUploadBytes }: { me: PublicUser & { isAdmin?: boolean }; maxUploadBytes: number | null }) {
  // Changed by Settings (name, status, picture) without a reload.
  const [me, setMe] = useState(signedIn);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const router = useRouter();
  const t = useTranslations("app");
  const errorText = useErrorText();
  const client = useDimClient(true, maxUploadBytes);
  const presence = usePresence(client);
  const connection = useConnectionState(client);
  const { nameOf } = usePeople();
  const conversations = useConversations(client, me.id, nameOf);
  const contacts = useContacts(client, conversations.refresh, (user) => {
    if (user.id === me.id) setMe((m) => ({ ...m, ...user }));
  });
  const [newGroupOpen, setNewGroupOpen] = useState(false);
  // Names in groups: my contacts and the direct conversations' peers are people I know.
  useEffect(() => {
    rememberPeople([me, ...contacts.contacts.map((c) => c.user), ...conversations.summaries.flatMap((s) => (s.peer ? [s.peer] : []))]);
  }, [me, contacts.contacts, conversations.summaries]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // A search result chosen: open its conversation at that message.
  const [openAt, setOpenAt] = useState<{ conversationId: string; seq: number; n: number } | null>(null);
  const notificationSettings = useNotificationSettings(client);
  const notifications = useNotifications(client, conversations.views, setSelectedId, { nameOf, meId: me.id, settings: notificationSettings.settings });
  // Opened from a notification while no window was open (sw.js: /?c=<conversationId>).
  useEffect(() => {
    const fromUrl = new URLSearchParams(window.location.search).get("c");
    if (fromUrl) setSelectedId(fromUrl);
  }, []);
  const [sidebarError, setSidebarError] = useState<string | null>(null);
  const [loggingOut, setLoggingOut] = useState(false);

  // The session ended (expired, or logged out elsewhere): sign in again.
  // Not connected: the banner says so; the sidebar shows what IndexedDB kept, without an error each.
  const connected = connection.state.status === "connected";
  const offlineCode = connection.state.status === "offline" ? connection.state.reason?.code : undefined;
  useEffect(() => {
    if (offlineCode === ErrorCode.Unauthorized) router.replace("/login");
  }, [offlineCode, router]);

  // A conversation with someone not listed as a contact yet: our request was accepted.
  const contactIds = useMemo(() => new Set(contacts.contacts.map((c) => c.user.id)), [contacts.contacts]);
  const blockedIds = useMemo(() => new Set(contacts.blocked.map((b) => b.user.id)), [contacts.blocked]);
  // (Read once per new such peer: a removed contact's conversation stays listed, and pushes keep
  // the lists current after that.)
  const unknownPeers = conversations.summaries.flatMap((s) => (s.peer && !contactIds.has(s.peer.id) ? [s.peer.id] : [])).sort().join(",");
  const refreshContacts = contacts.refresh;
  useEffect(() => {
    if (unknownPeers) void refreshContacts();
  }, [unknownPeers, refreshContacts]);

  const selected = useMemo(() => {
    if (!selectedId) return null;
    const listed = conversations.summaries.find((s) => s.id === selectedId);
    if (listed) return listed;
    const contact = contacts.contacts.find((c) => c.conversationId === selectedId);
    return contact ? placeholderSummary(contact.conversationId, contact.user, contact.since) : null;
  }, [selectedId, conversations.summaries, contacts.contacts]);

  const logout = async () => {
    setLoggingOut(true);
    await client?.logout();
    await clearAll();
    forgetPeople();
    await gateway()
      .auth.logout.mutate()
      .catch(() => {});
    router.replace("/login");
  };

  const decide = (action: (id: string) => Promise<{ code: ErrorCode; message: string } | null>) => async (id: string) => {
    const error = await action(id);
    setSidebarError(error ? errorText(error) : null);
  };

  return (
    <div className="flex h-full flex-col">
      <ConnectionBanner view={connection} onReconnect={() => reconnect(client)} />
      <div className="flex min-h-0 flex-1">
        <aside
          aria-label={t("sidebar")}
          className={`w-full shrink-0 flex-col overflow-y-auto border-r border-slate-200 bg-surface md:flex md:w-80 ${selected ? "hidden" : "flex"}`}
        >
          <UserHeader
            user={me}
            onLogout={() => void logout()}
            onOpenSettings={() => setSettingsOpen(true)}
            loggingOut={loggingOut}
            notifications={notifications.permission}
            onEnableNotifications={() => void notifications.requestPermission()}
          />
          <MessageSearch
            onOpen={(hit) => {
              setSelectedId(hit.conversation.id);
              setOpenAt((o) => ({ conversationId: hit.conversation.id, seq: hit.seq, n: (o?.n ?? 0) + 1 }));
            }}
          />
          <AddContactForm
            onRequest={contacts.request}
            onAccept={contacts.accept}
            onOpen={setSelectedId}
            busy={contacts.busy.has("request")}
            contacts={contacts.contacts}
            incoming={contacts.incoming}
            outgoing={contacts.outgoing}
          />
          {sidebarError || (connected && (contacts.error || conversations.error)) ? (
            <div className="px-4 pb-2">
              <Alert>{sidebarError ?? contacts.error ?? conversations.error}</Alert>
            </div>
          ) : null}
          <ContactRequests
            incoming={contacts.incoming}
            outgoing={contacts.outgoing}
            busy={contacts.busy}
            onAccept={(id) => void decide(contacts.accept)(id)}
            onDecline={(id) => void decide(contacts.decline)(id)}
          />
          <ConversationList
            views={conversations.views}
            selectedId={selectedId}
            onSelect={setSelectedId}
            loaded={conversations.loaded}
            action={
              <Button variant="ghost" size="sm" onClick={() => setNewGroupOpen(true)} aria-haspopup="dialog" data-testid="new-group">
                {t("newGroup")}
              </Button>
            }
          />
          <NewGroupDialog
            open={newGroupOpen}
            onClose={() => setNewGroupOpen(false)}
            contacts={contacts.contacts}
            onCreated={(id) => {
              setSelectedId(id);
              void conversations.refresh();
            }}
          />
          <SettingsDialog
            open={settingsOpen}
            onClose={() => setSettingsOpen(false)}
            me={me}
            onProfileChanged={(updated) => {
              setMe(updated);
              rememberPeople([updated]);
            }}
            onSignedOut={() => void logout()}
            notifications={notificationSettings}
            blocked={contacts.blocked}
            onUnblock={contacts.unblock}
          />
          <ContactList contacts={contacts.contacts} onOpen={setSelectedId} presence={presence} blockedIds={blockedIds} actions={contacts} />
        </aside>
        <main className={`min-w-0 flex-1 flex-col bg-slate-50 md:flex ${selected ? "flex" : "hidden"}`}>
          {selected ? (
            <ChatView
              key={selected.id}
              client={client}
              summary={selected}
              me={me}
              connection={connection.state}
              onBack={() => setSelectedId(null)}
              nameOf={nameOf}
              contacts={contacts.contacts.map((c) => c.user)}
              onGroupChanged={() => void conversations.refresh()}
              maxUploadBytes={maxUploadBytes}
              openAt={openAt?.conversationId === selected.id ? openAt : null}
              presence={presence}
              onMuted={conversations.applyMute}
              direct={
                selected.kind === "direct" && selected.peer
                  ? {
                      state: directStateOf(selected.peer, { loaded: contacts.loaded, contactIds, blockedIds }),
                      isContact: contactIds.has(selected.peer.id),
                      actions: contacts,
                    }
                  : null
              }
            />
          ) : (
            <div className="flex flex-1 items-center justify-center p-6 text-center">
              <div>
                <p className="text-base font-medium text-slate-700">{t("pickConversation")}</p>
                <p className="mt-1 text-sm text-slate-500">{t("pickConversationHint")}</p>
              </div>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}
