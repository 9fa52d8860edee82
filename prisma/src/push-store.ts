/**
 * What a core node reads to send Web Push (core-node/src/push): for the members of one
 * conversation who have no socket anywhere, their subscriptions with the settings and the mute
 * that decide whether and what to push, and the names a notification may show. Off the message
 * path: a node's push queue calls it after the commit.
 */
import { AppError, ErrorCode, UUID_RE, type PushPreview } from "@dim/shared";
import type { PrismaClient } from "./create-prisma";

export interface PushTarget {
  userId: string;
  dnd: boolean;
  preview: PushPreview;
  mutedUntil: Date | null;
  subscriptions: Array<{ id: string; endpoint: string; p256dh: string; auth: string }>;
}

export interface PushContext {
  kind: "direct" | "group";
  /** The group's title; null for direct conversations. */
  title: string | null;
  senderName: string;
}

export interface PushStore {
  /** Active members among `userIds` with at least one subscription. */
  targetsOf(conversationId: string, userIds: string[]): Promise<PushTarget[]>;
  /** The conversation's kind and title and the sender's display name; null when either is gone. */
  contextOf(conversationId: string, senderId: string): Promise<PushContext | null>;
  /** The push service said the subscription is gone (404 / 410). */
  removeSubscription(id: string): Promise<void>;
}

function requireUuids(ids: string[]): void {
  for (const id of ids) if (!UUID_RE.test(id)) throw new AppError(ErrorCode.BadRequest, "ids must be UUIDs");
}

interface TargetRow {
  user_id: string;
  dnd: boolean;
  push_preview: PushPreview;
  muted_until: Date | null;
  id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

export class PrismaPushStore implements PushStore {
  constructor(private readonly prisma: PrismaClient) {}

  async targetsOf(conversationId: string, userIds: string[]): Promise<PushTarget[]> {
    if (userIds.length === 0) return [];
    requireUuids([conversationId, ...userIds]);
    const rows = await this.prisma.$queryRaw<TargetRow[]>`
      SELECT m.user_id::text AS user_id, u.dnd, u.push_preview::text AS push_preview, m.muted_until,
             s.id::text AS id, s.endpoint, s.p256dh, s.auth
      FROM conversation_members m
      JOIN users u ON u.id = m.user_id
      JOIN push_subscriptions s ON s.user_id = m.user_id
      WHERE m.conversation_id = ${conversationId}::uuid AND m.user_id = ANY(${userIds}::uuid[])
        AND m.left_seq IS NULL AND u.deleted_at IS NULL AND u.disabled_at IS NULL
      ORDER BY m.user_id, s.created_at`;
    const byUser = new Map<string, PushTarget>();
    for (const r of rows) {
      let target = byUser.get(r.user_id);
      if (!target) {
        target = { userId: r.user_id, dnd: r.dnd, preview: r.push_preview, mutedUntil: r.muted_until, subscriptions: [] };
        byUser.set(r.user_id, target);
      }
      target.subscriptions.push({ id: r.id, endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth });
    }
    return [...byUser.values()];
  }

  async contextOf(conversationId: string, senderId: string): Promise<PushContext | null> {
    requireUuids([conversationId, senderId]);
    const [row] = await this.prisma.$queryRaw<Array<{ kind: "direct" | "group"; title: string | null; sender_name: string }>>`
      SELECT c.kind::text AS kind, c.title, u.display_name AS sender_name
      FROM conversations c, users u WHERE c.id = ${conversationId}::uuid AND u.id = ${senderId}::uuid`;
    return row ? { kind: row.kind, title: row.title, senderName: row.sender_name } : null;
  }

  async removeSubscription(id: string): Promise<void> {
    requireUuids([id]);
    await this.prisma.$executeRaw`DELETE FROM push_subscriptions WHERE id = ${id}::uuid`;
  }
}
