/**
 * Validation of everything the page sends through the preload bridge. The renderer is not trusted:
 * the sender must be the app window's top frame on the server's origin, and every payload is checked
 * with zod, bounded, and stripped of control characters before it reaches an OS API.
 */
import { z } from "zod";
import { uuid } from "@dim/shared";
import { DesktopBridgeLimits } from "../bridge-types";
import { isSameOrigin } from "./url-policy";

export const unreadCountSchema = z.number().int().min(0).max(DesktopBridgeLimits.unreadMax);

// C0/C1 controls except tab and newline, plus bidi overrides/isolates (used to disguise text).
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Plain text for a notification: unsafe characters removed, whitespace runs collapsed (newlines kept in bodies). */
export function cleanNotificationText(text: string, { multiline }: { multiline: boolean }): string {
  const stripped = text.replace(UNSAFE_TEXT, "");
  const collapsed = multiline ? stripped.replace(/[ \t]+/g, " ").replace(/\n{3,}/g, "\n\n") : stripped.replace(/\s+/g, " ");
  return collapsed.trim();
}

export const notifyPayloadSchema = z.strictObject({
  title: z
    .string()
    .max(DesktopBridgeLimits.titleMax * 4)
    .transform((s) => cleanNotificationText(s, { multiline: false }))
    .pipe(z.string().min(1).max(DesktopBridgeLimits.titleMax)),
  body: z
    .string()
    .max(DesktopBridgeLimits.bodyMax * 4)
    .transform((s) => cleanNotificationText(s, { multiline: true }))
    .pipe(z.string().max(DesktopBridgeLimits.bodyMax)),
  conversationId: uuid,
});
export type NotifyPayload = z.infer<typeof notifyPayloadSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: result.error.issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`).join("; ") };
}

export function parseUnreadCount(input: unknown): Parsed<number> {
  return parseWith(unreadCountSchema, input);
}

export function parseNotifyPayload(input: unknown): Parsed<NotifyPayload> {
  return parseWith(notifyPayloadSchema, input);
}

/** What the main process knows about an IPC message's sender. */
export interface SenderInfo {
  /** The sending frame's URL (senderFrame.url); undefined when the frame is gone. */
  frameUrl: string | undefined;
  /** The sending frame is its page's top frame. */
  isTopFrame: boolean;
  /** The sending webContents is the app window's. */
  isAppWindow: boolean;
}

/** Only the app window's top frame, showing the server's origin, may use the bridge. */
export function isTrustedSender(sender: SenderInfo, serverOrigin: string): boolean {
  return sender.isAppWindow && sender.isTopFrame && isSameOrigin(sender.frameUrl, serverOrigin);
}
