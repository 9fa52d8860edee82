/**
 * Inputs and outputs of account.* (docs/protocol.md §4 "account.*"): the caller's own profile,
 * password, sessions and the deletion of the account.
 */
import { z } from "zod";
import { displayName, password } from "./gateway";
import { Limits } from "./limits";
import { isoDate, uuid } from "./protocol";

/** Trimmed; bounded in code points, so an emoji counts as one. */
export const statusText = z
  .string()
  .trim()
  .refine((s) => [...s].length <= Limits.statusTextMax, { message: `at most ${Limits.statusTextMax} characters` });

/** Either field may be left out; at least one is given. */
export const updateProfileInput = z
  .strictObject({ displayName: displayName.optional(), statusText: statusText.optional() })
  .refine((p) => p.displayName !== undefined || p.statusText !== undefined, { message: "nothing to change" });

/** An own, unsent image upload (POST /api/files), or null to go back to initials. */
export const setAvatarInput = z.strictObject({ attachmentId: uuid.nullable() });

export const changePasswordInput = z.strictObject({
  currentPassword: z.string().min(1).max(Limits.passwordMax),
  newPassword: password,
});

export const deleteAccountInput = z.strictObject({ password: z.string().min(1).max(Limits.passwordMax) });

export const sessionIdInput = z.strictObject({ sessionId: uuid });

export const sessionInfo = z.strictObject({
  id: uuid,
  createdAt: isoDate,
  lastUsedAt: isoDate,
  expiresAt: isoDate,
  /** As sent at sign-in (cut to Limits.userAgentMax), null when none was sent. */
  userAgent: z.string().nullable(),
  /** The client's address as the gateway saw it at sign-in (per DIM_TRUST_PROXY), null when unknown. */
  ip: z.string().nullable(),
  /** The session that made this call. */
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfo>;

export const sessionsOutput = z.array(sessionInfo);

/** How many sessions were signed out. */
export const signedOutOutput = z.strictObject({ signedOut: z.number().int().min(0) });
