"use client";
import { useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import type { ChatAttachment, ConnectionState, DimClient } from "@dim/client";
import { attachmentUrl } from "@dim/shared";
import type { ContactPresence, ConversationSummary, MuteFrame, PublicUser } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { filesOf, useAttachmentDrafts } from "@/hooks/use-attachment-drafts";
import { useChat } from "@/hooks/use-chat";
import { useMessageActions } from "@/hooks/use-message-actions";
import { useTypingUsers } from "@/hooks/use-typing";
import { useFormatter, useTranslations } from "@/i18n";
import { presenceText } from "@/lib/presence-text";
import { useGroupMembers } from "@/hooks/use-group-members";
import { useJump } from "@/hooks/use-jump";
import type { Mentionables } from "@/hooks/use-mention-picker";
import { loadMemberCursors } from "@/lib/group-client";
import type { NameOf } from "@/lib/system-text";
import { AttachmentContext, type AttachmentActions } from "./attachment-context";
import { ChatHeader } from "./chat-header";
import { ImageViewer } from "./image-viewer";
import { JumpMenu } from "./jump-menu";
import { MuteMenu } from "./mute-menu";
import { Composer } from "./composer";
import { MemberPanel } from "./member-panel";
import { MessageList } from "./message-list";
import { ReadOnlyNotice } from "./read-only-notice";
import { ContactActions, type ContactActionsApi } from "@/components/contacts/contact-actions";
import type { DirectState } from "@/lib/direct-state";
import { ReadersDialog } from "./readers-dialog";
import { TypingLine } from "./typing-line";

export function ChatView(props: {
  client: DimClient | null;
  summary: ConversationSummary;
  me: PublicUser;
  connection: ConnectionState;
  onBack: () => void;
  nameOf: NameOf;
  contacts: PublicUser[];
  onGroupChanged: () => void;
  maxUploadBytes: number | null;
  /** Open at this message (a search result); a new `n` for each request. */
  openAt?: { seq: number; n: number } | null;
  presence: { byId: ReadonlyMap<string, ContactPresence>; now: Date };
  /** This conversation was muted or unmuted here (the list and the notifications follow). */
  onMuted: (frame: MuteFrame) => void;
  /** A direct conversation: whether I may write, and the peer's contact menu (remove, block, unblock). */
  direct?: { state: DirectState; isContact: boolean; actions: ContactActionsApi } | null;
}) {
  const { summary, client } = props;
  const t = useTranslations();
  const format = useFormatter();
  const connected = props.connection.status === "connected";
  const chat = useChat(client, summary, connected);
  const jump = useJump(client, summary.id);
  const { toSeq } = jump;
  const openAt = props.openAt;
  useEffect(() => {
    if (openAt) void toSeq(openAt.seq);
  }, [openAt, toSeq]);
  const group = summary.kind === "group";
  const active = summary.membership === "active";
  const direct = props.direct ?? null;
  // Writing (composer, typing, edits, reactions, drops): an active member of an open conversation.
  const writable = active && (direct?.state ?? "open") === "open";
  const members = useGroupMembers(client, summary.id, group && active);
  const mentionables = useMemo<Mentionables | undefined>(
    () =>
      group && active
        ? {
            members: members.members.map((m) => ({ id: m.user.id, username: m.user.username, displayName: m.user.displayName })),
            meId: props.me.id,
            canMentionAll: summary.myRole === "owner" || summary.myRole === "admin",
          }
        : undefined,
    [group, active, members.members, props.me.id, summary.myRole],
  );
  const [panelOpen, setPanelOpen] = useState(false);
  const [readersOf, setReadersOf] = useState<number | null>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const title = summary.peer?.displayName ?? summary.title;
  const hint = connected ? null : t("chat.queuedHint");
  const drafts = useAttachmentDrafts(props.maxUploadBytes);
  const [viewing, setViewing] = useState<ChatAttachment | null>(null);
  const [dragging, setDragging] = useState(false);
  const { discard } = chat;
  const acts = useMessageActions(client, summary.id);
  const typing = useTypingUsers(client, summary.id).map((id) => (group ? (props.nameOf(id) ?? t("system.someone")) : title));
  const peerPresence = summary.peer ? presenceText(props.presence.byId.get(summary.peer.id), t, format, props.presence.now) : null;
  const authorOf = (m: { own: boolean; senderId: string | null }) => (m.own ? t("chat.yourself") : group ? ((m.senderId && props.nameOf(m.senderId)) ?? t("system.someone")) : title);
  const editLast = () => {
    const last = [...chat.messages].reverse().find((m) => m.own && m.seq !== null && m.kind === "text" && !m.deleted);
    if (last) acts.setMode({ kind: "edit", message: last });
  };
  const actions = useMemo<AttachmentActions>(
    () => ({
      thumbnail: (id) => (client ? client.thumbnail(id) : Promise.reject(new Error("not ready"))),
      fileUrl: attachmentUrl,
      discard,
      view: setViewing,
      online: connected,
    }),
    [client, discard, connected],
  );
  // Files dragged from the desktop (not text or links) can be dropped anywhere on the conversation.
  const carriesFiles = (e: DragEvent) => writable && e.dataTransfer.types.includes("Files");
  const drop = {
    onDragOver: (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      setDragging(true);
    },
    onDragLeave: (e: DragEvent) => {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      setDragging(false);
      if (!carriesFiles(e)) return;
      e.preventDefault();
      drafts.add(filesOf(e.dataTransfer));
    },
  };

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
    <AttachmentContext.Provider value={actions}>
      <section ref={sectionRef} aria-label={group ? t("chat.groupLabel", { title }) : t("chat.directLabel", { title })} className="relative flex min-h-0 flex-1 flex-col" data-testid="chat-view" {...drop}>
        {dragging ? (
          <div aria-hidden className="pointer-events-none absolute inset-2 z-20 flex items-center justify-center rounded-xl border-2 border-dashed border-brand-500 bg-brand-50/90 text-sm font-medium text-brand-700 dark:text-sky-200">
            {t("chat.dropFiles")}
          </div>
        ) : null}
        <ChatHeader summary={summary} title={title} memberCount={members.loaded && active ? members.total : summary.memberCount} onBack={props.onBack} onMembers={() => setPanelOpen(true)}
          actions={
            <div className="ml-auto flex items-center gap-1">
              <MuteMenu conversationId={summary.id} mutedUntil={summary.mutedUntil} onMuted={props.onMuted} />
              <JumpMenu
                firstUnread={chat.unreadAfter === null ? null : chat.unreadAfter + 1}
                busy={jump.jumping}
                onSeq={(seq) => void jump.toSeq(seq)}
                onDay={(day) => void jump.toDay(day)}
              />
              {direct && summary.peer && direct.state !== "deleted" ? (
                <ContactActions user={summary.peer} isContact={direct.isContact} blocked={direct.state === "blocked"} api={direct.actions} />
              ) : null}
            </div>
          }
          presence={peerPresence}
        />
        {acts.problem ? (
          <div className="px-4 pt-3" data-testid="action-problem">
            <Alert>{acts.problem}</Alert>
          </div>
        ) : null}
        {chat.loadError || jump.jumpError ? (
          <div className="px-4 pt-3">
            <Alert>{chat.loadError ?? jump.jumpError}</Alert>
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
          gaps={chat.gaps}
          loadingGap={chat.loadingGap}
          onLoadGap={(afterSeq) => void chat.loadGap(afterSeq)}
          onRetry={chat.retry}
          focus={jump.focus}
          group={group ? { meId: props.me.id, myUsername: props.me.username, nameOf: props.nameOf, onReaders: setReadersOf } : undefined}
          meId={props.me.id}
          handlers={writable ? acts.handlers : null}
        />
        {writable ? <TypingLine names={typing} /> : null}
        {writable ? (
          <Composer
            key={summary.id}
            onSend={chat.send}
            onSendFiles={chat.sendFiles}
            drafts={drafts}
            hint={hint}
            mode={acts.mode}
            modeAuthor={acts.mode ? authorOf(acts.mode.message) : ""}
            onMode={acts.setMode}
            onSubmitMode={acts.submit}
            onEditLast={editLast}
            onTyping={() => client?.typing(summary.id)}
            onStopTyping={() => client?.stopTyping(summary.id)}
            mentionables={mentionables}
          />
        ) : (
          <ReadOnlyNotice
            membership={summary.membership}
            direct={
              direct && direct.state !== "open" && active
                ? { state: direct.state, name: title, onUnblock: () => void (summary.peer && direct.actions.unblock(summary.peer.id)) }
                : null
            }
          />
        )}
        <ImageViewer attachment={viewing} onClose={() => setViewing(null)} fileUrl={attachmentUrl} thumbnail={actions.thumbnail} />
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
    </AttachmentContext.Provider>
  );
}
