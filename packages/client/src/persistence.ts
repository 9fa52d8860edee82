/**
 * The client's write-through to its ClientStore: writes queue up and run one after another, in
 * the order the state changed, without the caller waiting; the snapshot is read once at start.
 */
import { AppError, ErrorCode, type Message } from "@dim/shared";
import type { ConversationState } from "./conversation-state";
import type { ClientSnapshot, ClientStore } from "./store";
import type { OutboxItem } from "./types";

export class ClientPersistence {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ClientStore,
    /** Where a failed read or write is reported (it never throws into the state machine). */
    private readonly onError: (error: AppError) => void,
  ) {}

  /**
   * Reads the snapshot and hands it to `apply`. A store that cannot be read (or a snapshot that
   * cannot be applied) is reported; the client then starts from nothing.
   */
  async load(apply: (snapshot: ClientSnapshot) => void): Promise<void> {
    try {
      apply(await this.store.load());
    } catch (error) {
      this.onError(new AppError(ErrorCode.Internal, `client store load failed: ${String(error)}`));
    }
  }

  saveUserId(userId: string): void {
    this.enqueue(() => this.store.saveUserId(userId));
  }

  /** Saves the conversation's cursors as they are now (later changes are later writes). */
  saveConversation(conv: ConversationState): void {
    const meta = { ...conv.meta, members: { ...conv.meta.members } };
    this.enqueue(() => this.store.saveConversation(meta));
  }

  saveMessages(messages: Message[]): void {
    this.enqueue(() => this.store.saveMessages(messages));
  }

  /** Saves the item as it is when the write runs (the store copies it). */
  saveOutboxItem(item: OutboxItem): void {
    this.enqueue(() => this.store.saveOutboxItem(item));
  }

  deleteOutboxItem(clientMsgId: string): void {
    this.enqueue(() => this.store.deleteOutboxItem(clientMsgId));
  }

  clear(): void {
    this.enqueue(() => this.store.clear());
  }

  /** Resolves once every write queued so far has run (or failed and been reported). */
  flush(): Promise<void> {
    return this.writes;
  }

  private enqueue(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((error: unknown) => {
      this.onError(new AppError(ErrorCode.Internal, `client store write failed: ${String(error)}`));
    });
  }
}
