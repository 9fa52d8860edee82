/**
 * conversations.linkPreview (docs/protocol.md §3.6): the preview card of a message's first
 * http(s) link, fetched by the gateway under the SSRF guard and limits of docs/security.md.
 */
import { z } from "zod";
import { seq, uuid } from "./protocol";

export const linkPreviewInput = z.strictObject({
  conversationId: uuid,
  /** A message of that conversation within your membership window. */
  seq: seq.min(1),
});
export type LinkPreviewInput = z.infer<typeof linkPreviewInput>;

export const linkPreview = z.strictObject({
  /** The link the preview is of: the message's first http(s) link, as the client parses it too. */
  url: z.string(),
  /** Plain text (never HTML), each at most 300 / 500 / 100 characters; at least one is set. */
  title: z.string().nullable(),
  description: z.string().nullable(),
  siteName: z.string().nullable(),
});
export type LinkPreview = z.infer<typeof linkPreview>;

export const linkPreviewOutput = z.strictObject({
  /** null: the message has no link, the page gave none (not HTML, refused, timed out…), or previews are off. */
  preview: linkPreview.nullable(),
});
export type LinkPreviewOutput = z.infer<typeof linkPreviewOutput>;
