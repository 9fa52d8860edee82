import type { ContactPresence, PresenceFrame } from "@dim/shared";
import { EphemeralLimits } from "@dim/shared";

/**
 * What `viewer` may see of a contact: online always; the last seen only when the contact is
 * offline and neither side hides last seen ("hide my last seen" hides theirs from you too).
 */
export function visiblePresence(
  userId: string,
  online: boolean,
  lastSeenAt: Date | null,
  contactHides: boolean,
  viewerHides: boolean,
): ContactPresence {
  const shown = !online && !contactHides && !viewerHides && lastSeenAt !== null;
  return { userId, online, lastSeenAt: shown ? lastSeenAt.toISOString() : null };
}

/** `presence` frames of at most maxPresenceEntries contacts each, `last` on the final one (one frame when empty). */
export function presenceFrames(contacts: ContactPresence[], full: boolean): PresenceFrame[] {
  const size = EphemeralLimits.maxPresenceEntries;
  const frames: PresenceFrame[] = [];
  for (let i = 0; i < contacts.length || i === 0; i += size) {
    frames.push({ type: "presence", full, last: i + size >= contacts.length, contacts: contacts.slice(i, i + size) });
  }
  return frames;
}
