// Browser-safe exports: the client and node protocols, their limits and the error model.
// Node-only helpers (tokens, logger, config) are in "@dim/shared/node".
export * from "./errors";
export * from "./close-codes";
export * from "./limits";
export * from "./protocol";
export * from "./attachments";
export * from "./node-protocol";
export * from "./parse-frame";
export * from "./gateway";
export * from "./ids";
export * from "./gateway-groups";
export * from "./gateway-admin";
export * from "./system-events";
export * from "./message-events";
export * from "./mentions";
export * from "./ephemeral-limits";
export * from "./typing";
export * from "./presence-frames";
export * from "./group-receipt-routing";
export * from "./gateway-account";
export * from "./gateway-search";
export * from "./notifications";
export * from "./links";
export * from "./gateway-link-preview";
