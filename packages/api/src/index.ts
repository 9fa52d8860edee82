// @dim/api: the gateway (tRPC). web/ mounts `createGatewayFromEnv().fetchHandler` at /api/trpc;
// @dim/client imports `type AppRouter`.
export { appRouter, type AppRouter } from "./root";
export { createGateway, TRPC_ENDPOINT, type Gateway, type GatewayDeps, type RequestInfo } from "./gateway";
export { createGatewayFromEnv } from "./create-gateway-from-env";
export { gatewayServicesOf } from "./gateway-services";
export { startStandaloneGateway, type StandaloneGateway, type StandaloneGatewayOptions } from "./standalone";
export {
  gatewayEnvSchema,
  gatewayConfigSchema,
  gatewayProcessConfigSchema,
  loadGatewayConfig,
  loadGatewayProcessConfig,
  resolveGatewayConfig,
  GATEWAY_DEFAULTS,
  type GatewayConfig,
  type GatewayConfigInput,
  type GatewayEnvConfig,
} from "./config";
export {
  ASSIGN_STRATEGIES,
  createAssignStrategy,
  roundRobin,
  random,
  leastConnections,
  type AssignStrategy,
  type AssignStrategyName,
} from "./assign/strategies";
export { SESSION_COOKIE } from "./auth/session";
export type { AppErrorData } from "./trpc";
export { GatewayMetrics, type CallResult } from "./metrics/gateway-metrics";
