// Browser-safe exports: the protocol, its limits and the error model.
// Node-only helpers (tokens, logger, config) are in "@dim/shared/node".
export * from "./errors";
export * from "./close-codes";
export * from "./limits";
export * from "./protocol";
export * from "./parse-frame";
export * from "./gateway";
export * from "./gateway-groups";
export * from "./system-events";
