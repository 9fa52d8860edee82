"use client";
import type { ConnectionState, DimClient } from "@dim/client";
import type { ConversationSummary, PublicUser } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { useChat } from "@/hooks/use-chat";
import { Composer } from "./composer";
import { MessageList } from "./message-list";

export function ChatView(props: { client: DimClient | null; summary: ConversationSummary; me: PublicUser; connection: ConnectionState; onBack: () => void }) {
  const { summary } = props;
  const connected = props.connection.status === "connected";
  const chat = useChat(props.client, summary, connected);
  const title = summary.peer?.displayName ?? summary.title;
  const hint = connected ? null : "Not connected: messages are queued and sent, in order, when the connection is back.";

  return (
    <section aria-label={`Chat with ${title}`} className="flex min-h-0 flex-1 flex-col">
      <header className="flex items-center gap-3 border-b border-slate-200 bg-surface px-3 py-3 sm:px-4">
        <Button variant="ghost" size="sm" className="md:hidden" onClick={props.onBack} aria-label="Back to conversations">
          ←
        </Button>
        <Avatar name={title} seed={summary.peer?.id ?? summary.id} />
        <div className="min-w-0">
          <h2 className="truncate text-base font-semibold text-slate-900" data-testid="chat-title">
            {title}
          </h2>
          {summary.peer ? <p className="truncate text-xs text-slate-500">@{summary.peer.username}</p> : null}
        </div>
      </header>
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
      />
      <Composer key={summary.id} onSend={chat.send} hint={hint} />
    </section>
  );
}
