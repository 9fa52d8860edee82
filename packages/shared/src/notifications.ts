/**
 * Notifications (docs/protocol.md §20): Web Push subscriptions, the user's notification settings
 * (how much a push may show, do not disturb), per-conversation mutes, the frames that keep a
 * user's devices in agreement about them, the payload a service worker decrypts, and the one rule
 * that says whether a message notifies a user (`notifies`), used by core nodes (Web Push) and by
 * clients (the notifications they show themselves).
 */
import { z } from "zod";

const uuid = z.uuid();
const isoDate = z.iso.datetime({ offset: true });

// ───────────────────────────── subscriptions ─────────────────────────────

/** Longest push endpoint URL accepted (the services' are ~200-500 characters). */
export const PUSH_ENDPOINT_MAX = 2048;

/**
 * base64url, no padding, of exactly `bytes` bytes: the length is fixed and the last character
 * must leave the unused low bits zero (any other string decodes to a different key).
 */
function base64urlOfBytes(bytes: number, first?: RegExp) {
  const chars = Math.ceil((bytes * 8) / 6);
  const spareBits = chars * 6 - bytes * 8;
  const lastChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("").filter((_, i) => i % (1 << spareBits) === 0);
  return z
    .string()
    .length(chars, `must be ${chars} base64url characters (${bytes} bytes, no padding)`)
    .regex(/^[A-Za-z0-9_-]+$/, "must be base64url (A-Z a-z 0-9 - _), no padding")
    .refine((s) => lastChars.includes(s.at(-1) ?? ""), `must encode exactly ${bytes} bytes`)
    .refine((s) => first === undefined || first.test(s), "must be an uncompressed P-256 point (first byte 0x04)");
}

/** The subscription's P-256 public key: an uncompressed point, 65 bytes starting 0x04 ("B…"). */
export const pushP256dh = base64urlOfBytes(65, /^B/);
/** The subscription's authentication secret: 16 bytes. */
export const pushAuth = base64urlOfBytes(16);

/**
 * `PushSubscription.toJSON()` as a browser gives it. The endpoint's scheme and host are checked
 * by the gateway (https, a public host; `DIM_PUSH_ALLOW_LOOPBACK` for tests).
 */
export const pushSubscriptionInput = z.strictObject({
  endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX),
  expirationTime: z.number().int().nonnegative().nullable().optional(),
  keys: z.strictObject({ p256dh: pushP256dh, auth: pushAuth }),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionInput>;

/** notifications.vapidKey: the application server key for `pushManager.subscribe`. */
export const vapidKeyOutput = z.strictObject({ publicKey: z.string() });

// ───────────────────────────── settings ─────────────────────────────

/**
 * What a Web Push notification may carry: `none` — nothing but "new message"; `name` (the
 * default) — the sender's name and the group's title; `text` — those and the message text.
 */
export const PUSH_PREVIEWS = ["none", "name", "text"] as const;
export const pushPreview = z.enum(PUSH_PREVIEWS);
export type PushPreview = z.infer<typeof pushPreview>;

export const notificationSettings = z.strictObject({
  preview: pushPreview,
  /** Do not disturb: no push and no notification shown for any conversation (mentions included). */
  dnd: z.boolean(),
});
export type NotificationSettings = z.infer<typeof notificationSettings>;
export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = { preview: "name", dnd: false };

/** Either field may be left out; at least one is given. */
export const updateNotificationSettingsInput = z
  .strictObject({ preview: pushPreview.optional(), dnd: z.boolean().optional() })
  .refine((s) => s.preview !== undefined || s.dnd !== undefined, { message: "nothing to change" });

// ───────────────────────────── mutes ─────────────────────────────

/** How long a mute lasts; `off` unmutes. */
export const MUTE_DURATIONS = ["1h", "8h", "1w", "forever", "off"] as const;
export const muteDuration = z.enum(MUTE_DURATIONS);
export type MuteDuration = z.infer<typeof muteDuration>;

/** `mutedUntil` of a conversation muted forever: the last millisecond PostgreSQL and JS agree on. */
export const MUTE_FOREVER = "9999-12-31T23:59:59.999Z";
const DURATION_MS: Record<Exclude<MuteDuration, "forever" | "off">, number> = { "1h": 3600_000, "8h": 8 * 3600_000, "1w": 7 * 24 * 3600_000 };

/** The `mutedUntil` a duration gives from `now`; null for `off`. */
export function mutedUntilOf(duration: MuteDuration, now: number = Date.now()): string | null {
  if (duration === "off") return null;
  if (duration === "forever") return MUTE_FOREVER;
  return new Date(now + DURATION_MS[duration]).toISOString();
}

/** Muted at `now`: a `mutedUntil` still ahead. */
export function isMuted(mutedUntil: string | Date | null | undefined, now: number = Date.now()): boolean {
  if (mutedUntil === null || mutedUntil === undefined) return false;
  return new Date(mutedUntil).getTime() > now;
}

export const muteInput = z.strictObject({ conversationId: uuid, duration: muteDuration });

// ───────────────────────────── server frames ─────────────────────────────

/** Your notification settings changed (on another device, or this one): every socket of yours hears it. */
export const notifySettingsFrame = z.strictObject({
  type: z.literal("notify.settings"),
  settings: notificationSettings,
});
export type NotifySettingsFrame = z.infer<typeof notifySettingsFrame>;

/** You muted or unmuted a conversation; `mutedUntil` null: not muted. Also the answer of notifications.mute. */
export const muteFrame = z.strictObject({
  type: z.literal("mute"),
  conversationId: uuid,
  mutedUntil: isoDate.nullable(),
});
export type MuteFrame = z.infer<typeof muteFrame>;

/** The frames of this file, as the node envelope `notify` carries them. */
export const notifyFrame = z.discriminatedUnion("type", [notifySettingsFrame, muteFrame]);
export type NotifyFrame = z.infer<typeof notifyFrame>;

// ───────────────────────────── Web Push payload ─────────────────────────────

/**
 * The plaintext of a push message (JSON, encrypted aes128gcm per RFC 8291). `sender` and
 * `conversation` (a group's title; null for direct conversations) are null when the user's
 * preview is `none`; `text` is set only when it is `text`.
 */
export const pushPayload = z.strictObject({
  v: z.literal(1),
  type: z.literal("message"),
  conversationId: uuid,
  seq: z.number().int().min(1),
  sender: z.string().nullable(),
  conversation: z.string().nullable(),
  text: z.string().nullable(),
});
export type PushPayload = z.infer<typeof pushPayload>;
/** The most characters of message text a payload carries (the push services cap payloads at 4 KiB). */
export const PUSH_TEXT_MAX = 200;

// ───────────────────────────── the rule ─────────────────────────────

/** Message kinds that notify: new content, not edits, deletions, reactions or system events. */
const NOTIFYING_KINDS: ReadonlySet<string> = new Set(["text", "image", "file"]);

/** Whether messages of this kind ever notify. */
export function notifyingKind(kind: string): boolean {
  return NOTIFYING_KINDS.has(kind);
}

/** What the rule needs of a message: its sender and kind, and whom it mentions when it carries mentions. */
export interface NotifyingMessage {
  /** null: a message whose sender the client does not know (never the user's own). */
  senderId: string | null;
  kind: string;
  mentions?: readonly string[] | undefined;
  /** `@all` / `@everyone` by a group owner or admin (docs/protocol.md §17.1). */
  mentionsAll?: boolean | undefined;
}

/** What the rule needs of the recipient. */
export interface NotifiedUser {
  userId: string;
  dnd: boolean;
  /** The recipient's mute of the message's conversation (null: not muted). */
  mutedUntil: string | Date | null;
}

/**
 * Whether `message` notifies `user`: not their own, a kind that notifies, not under do not
 * disturb, and not in a conversation they muted — unless the message mentions them (mentions
 * still notify in muted conversations; do not disturb silences them too).
 */
export function notifies(message: NotifyingMessage, user: NotifiedUser, now: number = Date.now()): boolean {
  if (message.senderId === user.userId || !notifyingKind(message.kind) || user.dnd) return false;
  if (!isMuted(user.mutedUntil, now)) return true;
  return message.mentionsAll === true || (message.mentions?.includes(user.userId) ?? false);
}
