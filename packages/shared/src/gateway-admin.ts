/**
 * Inputs and outputs of the `admin.*` procedures and of `auth.me` (which tells the PWA whether to
 * show the Admin entry). Every admin.* procedure is refused with FORBIDDEN for a non-admin, on the
 * server. docs/protocol.md §4 "admin.*" documents each with an example.
 */
import { z } from "zod";
import { NODE_ID_RE } from "./ids";
import { isoDate, publicUser, username, uuid } from "./protocol";

export const meOutput = publicUser.extend({ isAdmin: z.boolean() });
export type MeOutput = z.infer<typeof meOutput>;

/** What an admin action is; stored in admin_audit.action. */
export const ADMIN_ACTIONS = ["grant", "revoke", "disable", "enable", "lookup", "drain"] as const;
export const adminAction = z.enum(ADMIN_ACTIONS);
export type AdminAction = z.infer<typeof adminAction>;

export const adminNode = z.strictObject({
  nodeId: z.string(),
  wsUrl: z.string(),
  epoch: z.number().int(),
  startedAt: isoDate,
  uptimeSeconds: z.number().int().nonnegative(),
  /** Authenticated connections, as last reported to the registry (least-connections uses it too). */
  connections: z.number().int().nonnegative(),
  /** Chat messages per second the node took in (`send`) and pushed out, as it last measured them (every 5 s). */
  messagesInPerSec: z.number().nonnegative(),
  messagesOutPerSec: z.number().nonnegative(),
  /** Being drained: assigned no new clients, moving its clients away, then it stops. */
  draining: z.boolean(),
});
export const adminNodesOutput = z.strictObject({ nodes: z.array(adminNode), at: isoDate });
export type AdminNodesOutput = z.infer<typeof adminNodesOutput>;

/**
 * Drain one node (the admin page's drain button). `epoch` is the one the admin saw in
 * `admin.nodes`: a node restarted under the same id since then (a higher epoch) is not drained.
 */
export const adminDrainNodeInput = z.strictObject({
  nodeId: z.string().regex(NODE_ID_RE, "node id: 1..64 of A-Z a-z 0-9 . _ -"),
  epoch: z.number().int().positive(),
});
export const adminDrainNodeOutput = z.strictObject({ nodeId: z.string(), epoch: z.number().int(), alreadyDraining: z.boolean() });
export type AdminDrainNodeOutput = z.infer<typeof adminDrainNodeOutput>;

export const adminUserLookupInput = z.strictObject({ username: z.string().trim().toLowerCase().pipe(username) });
export const adminSession = z.strictObject({
  id: uuid,
  createdAt: isoDate,
  /** Sign-in or the last nodes.assign (socket connect), whichever is later. */
  lastUsedAt: isoDate.nullable(),
  expiresAt: isoDate,
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AdminSession = z.infer<typeof adminSession>;
export const adminUserLookupOutput = z.strictObject({
  user: publicUser.extend({ isAdmin: z.boolean(), createdAt: isoDate, disabledAt: isoDate.nullable() }),
  /** The user's live sessions (one per signed-in device or browser), newest first. */
  sessions: z.array(adminSession),
});
export type AdminUserLookupOutput = z.infer<typeof adminUserLookupOutput>;

export const adminUserIdInput = z.strictObject({ userId: uuid });
export const adminDisableOutput = z.strictObject({ disabledAt: isoDate, sessionsEnded: z.number().int().nonnegative() });
export const adminEnableOutput = z.strictObject({ ok: z.literal(true) });

export const adminAuditInput = z
  .strictObject({
    /** The `nextCursor` of the previous page. */
    cursor: z.string().regex(/^[1-9][0-9]{0,17}$/, "cursor is a page's nextCursor").optional(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .default({ limit: 50 });
export const adminAuditEntry = z.strictObject({
  id: z.string(),
  /** The admin's username, or "cli". */
  actor: z.string(),
  action: adminAction,
  targetUserId: uuid.nullable(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  at: isoDate,
});
export type AdminAuditEntry = z.infer<typeof adminAuditEntry>;
/** Newest first; `nextCursor` null on the last page. */
export const adminAuditOutput = z.strictObject({ entries: z.array(adminAuditEntry), nextCursor: z.string().nullable() });
export type AdminAuditOutput = z.infer<typeof adminAuditOutput>;
