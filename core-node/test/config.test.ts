import { describe, expect, it } from "vitest";
import { AppError, DEFAULT_ACK_TIMEOUT_MS } from "@dim/shared";
import { loadCoreNodeConfig, loadNodeProcessConfig } from "../src/config";
import { vapidEnv } from "@dim/shared/node";

describe("core node config", () => {
  it("has a default for every option", () => {
    const c = loadCoreNodeConfig({});
    expect(c).toMatchObject({
      nodeId: undefined,
      host: "127.0.0.1",
      port: 0,
      ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS,
      repush: true,
      allowedOrigins: ["http://localhost:3000", "http://127.0.0.1:3000"],
      databaseUrl: "postgresql://postgres:dim@127.0.0.1:54320/dim",
    });
  });

  it("parses the environment", () => {
    const c = loadCoreNodeConfig({
      DIM_NODE_ID: "node-1",
      DIM_NODE_PORT: "7001",
      DIM_ALLOWED_ORIGINS: " https://a.example , https://b.example ,",
      DIM_ACK_TIMEOUT_MS: "250",
      DIM_REPUSH: "0",
      DIM_PUBLIC_WS_URL: "wss://chat.example/ws",
    });
    expect(c).toMatchObject({
      nodeId: "node-1",
      port: 7001,
      allowedOrigins: ["https://a.example", "https://b.example"],
      ackTimeoutMs: 250,
      repush: false,
      publicWsUrl: "wss://chat.example/ws",
    });
  });

  it("rejects bad values with one INVALID_CONFIG error naming each variable, node and infra together", () => {
    let error: unknown;
    try {
      loadNodeProcessConfig({ DIM_NODE_PORT: "70000", DIM_NODE_ID: "bad id!", DIM_PUBLIC_WS_URL: "http://x", DIM_MODE: "cluster" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const err = error as AppError;
    expect(err.code).toBe("INVALID_CONFIG");
    for (const name of ["DIM_NODE_PORT", "DIM_NODE_ID", "DIM_PUBLIC_WS_URL", "DIM_KAFKA_BROKERS"]) {
      expect(err.message).toContain(name);
    }
  });

  it("caps sockets per user at 10 by default; DIM_MAX_SOCKETS_PER_USER must be an integer in 1..1000", () => {
    expect(loadCoreNodeConfig({}).maxSocketsPerUser).toBe(10);
    expect(loadCoreNodeConfig({ DIM_MAX_SOCKETS_PER_USER: "1" }).maxSocketsPerUser).toBe(1);
    for (const bad of ["0", "-1", "2.5", "1001", "ten", ""]) {
      expect(() => loadCoreNodeConfig({ DIM_MAX_SOCKETS_PER_USER: bad }), bad).toThrow(/DIM_MAX_SOCKETS_PER_USER/);
    }
  });

  it("requires DIM_TOKEN_SECRET in cluster mode, in the same one error", () => {
    const cluster = { DIM_MODE: "cluster", DIM_KAFKA_BROKERS: "127.0.0.1:9092", DIM_ZK_CONNECT: "127.0.0.1:2181", DIM_REDIS_URL: "redis://127.0.0.1:6379", ...vapidEnv() };
    expect(() => loadNodeProcessConfig(cluster)).toThrow(/node\.DIM_TOKEN_SECRET: DIM_TOKEN_SECRET is required in cluster mode/);
    expect(loadNodeProcessConfig({ ...cluster, DIM_TOKEN_SECRET: "s".repeat(32) }).node.tokenSecret).toBe("s".repeat(32));
    expect(loadNodeProcessConfig({}).node.tokenSecret).toBeUndefined();
  });

  it("requires a VAPID key pair and subject in cluster mode, named in the same one error; the embedded default needs none", () => {
    const { DIM_VAPID_PUBLIC_KEY, DIM_VAPID_PRIVATE_KEY, DIM_VAPID_SUBJECT } = vapidEnv();
    const cluster = { DIM_MODE: "cluster", DIM_KAFKA_BROKERS: "127.0.0.1:9092", DIM_ZK_CONNECT: "127.0.0.1:2181", DIM_REDIS_URL: "redis://127.0.0.1:6379" };
    expect(() => loadNodeProcessConfig(cluster)).toThrow(/push\.DIM_VAPID_PUBLIC_KEY: .*required in cluster mode[\s\S]*node\.DIM_TOKEN_SECRET|node\.DIM_TOKEN_SECRET[\s\S]*push\.DIM_VAPID_PUBLIC_KEY: .*required in cluster mode/);
    expect(() => loadNodeProcessConfig({ ...cluster, DIM_TOKEN_SECRET: "s".repeat(32), DIM_VAPID_PUBLIC_KEY, DIM_VAPID_PRIVATE_KEY })).toThrow(/required in cluster mode/);
    expect(() => loadNodeProcessConfig({ DIM_VAPID_PUBLIC_KEY, DIM_VAPID_PRIVATE_KEY: vapidEnv().DIM_VAPID_PRIVATE_KEY })).toThrow(/is not the public key of DIM_VAPID_PRIVATE_KEY/);
    const ok = loadNodeProcessConfig({ ...cluster, DIM_TOKEN_SECRET: "s".repeat(32), DIM_VAPID_PUBLIC_KEY, DIM_VAPID_PRIVATE_KEY, DIM_VAPID_SUBJECT, DIM_PUSH_CONCURRENCY: "3" });
    expect(ok.push.DIM_VAPID_PUBLIC_KEY).toBe(DIM_VAPID_PUBLIC_KEY);
    expect(ok.node.pushSender.concurrency).toBe(3);
    expect(() => loadNodeProcessConfig({ DIM_PUSH_CONCURRENCY: "0", DIM_PUSH_TIMEOUT_MS: "fast" })).toThrow(/DIM_PUSH_CONCURRENCY[\s\S]*DIM_PUSH_TIMEOUT_MS/);
    expect(loadNodeProcessConfig({}).push.DIM_PUSH_ALLOW_LOOPBACK).toBe(false);
  });

  it("serves metrics on loopback, a free port, by default; refuses a listener open to the network without a token", () => {
    expect(loadNodeProcessConfig({}).metrics).toEqual({ enabled: true, host: "127.0.0.1", port: 0, token: undefined });
    expect(() => loadNodeProcessConfig({ DIM_METRICS_HOST: "0.0.0.0" })).toThrow(
      /metrics\.DIM_METRICS_TOKEN: DIM_METRICS_TOKEN \(at least 16 characters\) is required/,
    );
    let error: unknown;
    try {
      loadNodeProcessConfig({ DIM_METRICS_PORT: "70000", DIM_METRICS: "maybe", DIM_METRICS_TOKEN: "short" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("INVALID_CONFIG");
    for (const name of ["DIM_METRICS_PORT", "DIM_METRICS", "DIM_METRICS_TOKEN"]) expect((error as AppError).message).toContain(`metrics.${name}`);
    const open = loadNodeProcessConfig({ DIM_METRICS_HOST: "0.0.0.0", DIM_METRICS_PORT: "9464", DIM_METRICS_TOKEN: "t".repeat(16) });
    expect(open.metrics).toEqual({ enabled: true, host: "0.0.0.0", port: 9464, token: "t".repeat(16) });
    expect(loadNodeProcessConfig({ DIM_METRICS: "0", DIM_METRICS_HOST: "0.0.0.0" }).metrics.enabled).toBe(false);
  });
});
