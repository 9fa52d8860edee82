"use client";
import { useEffect, useRef, useState } from "react";
import type { ConnectionState, DimClient } from "@dim/client";
import type { ConversationSummary, PublicUser } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { useChat } from "@/hooks/use-chat";
import { useGroupMembers } from "@/hooks/use-group-members";
import { loadMemberCursors } from "@/lib/group-client";
import type { NameOf } from "@/lib/system-text";
import { ChatHeader } from "./chat-header";
import { Composer } from "./composer";
import { MemberPanel } from "./member-panel";
import { MessageList } from "./message-list";
import { ReadOnlyNotice } from "./read-only-notice";
import { ReadersDialog } from "./readers-dialog";

export function ChatView(props: {
  client: DimClient | null;
  summary: ConversationSummary;
  me: PublicUser;
  connection: ConnectionState;
  onBack: () => void;
  nameOf: NameOf;
  contacts: PublicUser[];
  onGroupChanged: () => void;
}) {
  const { summary, client } = props;
  const connected = props.connection.status === "connected";
  const chat = useChat(client, summary, connected);
  const group = summary.kind === "group";
  const active = summary.membership === "active";
  const members = useGroupMembers(client, summary.id, group && active);
  const [panelOpen, setPanelOpen] = useState(false);
  const [readersOf, setReadersOf] = useState<number | null>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const title = summary.peer?.displayName ?? summary.title;
  const hint = connected ? null : "Not connected: messages are queued and sent, in order, when the connection is back.";

  // The members' cursors, so "read by k of n" starts right (once per open, and per connection).
  useEffect(() => {
    if (client && group && active && connected) void loadMemberCursors(client, summary.id).catch(() => {});
  }, [client, group, active, connected, summary.id]);

  // Opening a chat is to write in it: the cursor goes to the composer (once per opened chat: the
  // view is keyed by conversation), not left on the list.
  useEffect(() => {
    sectionRef.current?.querySelector<HTMLTextAreaElement>("textarea")?.focus();
  }, []);

  return (
    <section ref={sectionRef} aria-label={group ? `Group ${title}` : `Chat with ${title}`} className="flex min-h-0 flex-1 flex-col">
      <ChatHeader summary={summary} title={title} memberCount={members.loaded && active ? members.total : summary.memberCount} onBack={props.onBack} onMembers={() => setPanelOpen(true)} />
      {chat.loadError ? (
        <div className="px-4 pt-3">
          <Alert>{chat.loadError}</Alert>
        </div>
      ) : null}
      <MessageList
        messages={chat.messages}
        peerName={title}
        unreadAfter={chat.unreadAfter}
        canLoadEarlier={chat.canLoadEarlier}
        loadingEarlier={chat.loadingEarlier}
        loadFailed={chat.loadError !== null}
        onLoadEarlier={() => void chat.loadEarlier()}
        onRetry={chat.retry}
        group={group ? { meId: props.me.id, nameOf: props.nameOf, onReaders: setReadersOf } : undefined}
      />
      {active ? <Composer key={summary.id} onSend={chat.send} hint={hint} /> : <ReadOnlyNotice membership={summary.membership} />}
      {group ? (
        <>
          <MemberPanel
            open={panelOpen}
            onClose={() => setPanelOpen(false)}
            summary={summary}
            meId={props.me.id}
            members={members.members}
            total={members.total}
            loaded={members.loaded}
            loadError={members.error}
            contacts={props.contacts}
            onChanged={() => {
              void members.refresh();
              props.onGroupChanged();
            }}
          />
          <ReadersDialog conversationId={summary.id} seq={readersOf} onClose={() => setReadersOf(null)} />
        </>
      ) : null}
    </section>
  );
}
