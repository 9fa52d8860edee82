// @dim/client — DIM's framework-free client core (browsers, Electron, Node).
export { DimClient, type DimClientOptions } from "./dim-client";
export type { MentionOptions } from "./sender-leg";
export type { SendAttachmentOptions } from "./attachment-send";
export { createFileClient, type FileClient, type FileClientOptions, type UploadOptions } from "./file-client";
export type { UploadProgressEvent, XhrConstructor, XhrLike } from "./upload-request";
export { MemoryThumbnailCache, type ThumbnailCache } from "./thumbnail-cache";
export { fitImage, formatBytes, placeholderDataUrl } from "./attachment-display";
export { ClientErrorCode, type ClientAppError } from "./client-error-code";
export { createGatewayClient, gatewayPort, toAppError, TRPC_PATH, type GatewayClient, type GatewayClientOptions } from "./gateway-client";
export { MemoryClientStore, type ClientStore, type ClientSnapshot } from "./store";
export { backoffDelay, backoffWindow, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
export { AckClock } from "./ack-clock";
export { newClientMsgId } from "./client-msg-id";
export { applyMemberCursors, groupReceiptsOf, groupStateOf } from "./group-receipts";
export { foldMessages, myReaction, type FoldedMessage } from "./event-fold";
export type { WebSocketConstructor, WebSocketLike } from "./transport";
export type {
  ChatAttachment,
  ChatMessage,
  ConnectionState,
  ConversationMeta,
  DimClientEvents,
  DimGateway,
  FailureReason,
  GroupReceipts,
  MemberCursors,
  MembershipChange,
  MessageState,
  MessageStateChange,
  OutboxAttachment,
  OutboxItem,
  UploadProgress,
} from "./types";
