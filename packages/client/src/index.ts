// @dim/client — DIM's framework-free client core (browsers, Electron, Node).
export { DimClient, type DimClientOptions } from "./dim-client";
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
  OutboxItem,
} from "./types";
