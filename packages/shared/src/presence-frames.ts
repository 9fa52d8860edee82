/**
 * Online / last seen of a user's contacts. A user is online while any of its devices holds a
 * socket; when its last one closes, the node stores "last seen" and its contacts who are online
 * are told, coalesced per recipient per window (DIM_PRESENCE_COALESCE_MS). "Hide my last seen"
 * (privacy.set) hides yours from others and theirs from you; online stays visible.
 */
import { z } from "zod";
import { EphemeralLimits } from "./ephemeral-limits";
import { NODE_ID_RE } from "./ids";

const uuid = z.uuid();
const isoDate = z.iso.datetime({ offset: true });

/** One contact's presence as one viewer may see it. */
export const contactPresence = z.strictObject({
  userId: uuid,
  online: z.boolean(),
  /** When the contact's last socket closed; null while online, never seen, or hidden (either side). */
  lastSeenAt: isoDate.nullable(),
});
export type ContactPresence = z.infer<typeof contactPresence>;

/** client → server: "tell me my contacts' presence now" (send it after each `welcome`). */
export const presenceQueryFrame = z.strictObject({
  type: z.literal("presence.query"),
});
export type PresenceQueryFrame = z.infer<typeof presenceQueryFrame>;

/**
 * server → client: contacts' presence. `full: true` answers `presence.query` (every contact, in
 * frames of at most EphemeralLimits.maxPresenceEntries, `last: true` on the final one);
 * `full: false` pushes changes (only the contacts that changed in the window).
 */
export const presenceFrame = z.strictObject({
  type: z.literal("presence"),
  full: z.boolean(),
  last: z.boolean(),
  contacts: z.array(contactPresence).max(EphemeralLimits.maxPresenceEntries),
});
export type PresenceFrame = z.infer<typeof presenceFrame>;

/** node → node: one coalescing window's changes, per recipient on the target node. */
export const presenceEnvelope = z.strictObject({
  type: z.literal("presence"),
  from: z.string().regex(NODE_ID_RE, "node id: 1..64 of A-Z a-z 0-9 . _ -"),
  updates: z
    .array(z.strictObject({ to: uuid, contacts: z.array(contactPresence).min(1).max(EphemeralLimits.maxPresenceEntries) }))
    .min(1)
    .max(1_000),
});
export type PresenceEnvelope = z.infer<typeof presenceEnvelope>;

/** Gateway: `privacy.get` answers it; `privacy.set` takes it. */
export const privacySettings = z.strictObject({
  /** Hide my last seen from my contacts (and theirs from me). Online is still shown. */
  hideLastSeen: z.boolean(),
});
export type PrivacySettings = z.infer<typeof privacySettings>;
export const setPrivacyInput = privacySettings;
