// @dim/core-node: a node that holds client WebSockets and routes their messages.
export { CoreNode, type CoreNodeDeps, type StartedNode } from "./core-node";
export {
  coreNodeConfigSchema,
  coreNodeEnvSchema,
  loadCoreNodeConfig,
  loadNodeProcessConfig,
  nodeProcessConfigSchema,
  type NodeProcessConfig,
  type CoreNodeConfig,
  type CoreNodeEnvConfig,
} from "./config";
export { WS_PATH, HEALTH_PATH } from "./server";
export { NodeMetrics } from "./node-metrics";
