// Node-only helpers shared by the gateway and core nodes.
export * from "./node/socket-token";
export * from "./node/logger";
export * from "./node/config";
export * from "./node/dev-config";
export * from "./node/dev-secret";
export * from "./node/free-port";
export * from "./node/async";
export * from "./node/readiness";
export * from "./node/push-config";
export * from "./node/push-endpoint";
