// @dim/shared/metrics: Prometheus metrics for the gateway and core nodes (node only).
export * from "./metrics-config";
export * from "./metrics-registry";
export * from "./metrics-server";
export * from "./parse-metrics";
export * from "./counter-cells";
