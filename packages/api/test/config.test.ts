import { describe, expect, it } from "vitest";
import { AppError, ErrorCode } from "@dim/shared";
import { createGatewayFromEnv, GATEWAY_DEFAULTS, loadGatewayConfig, loadGatewayProcessConfig, resolveGatewayConfig } from "../src/index";

describe("gateway config", () => {
  it("parses the environment with defaults", () => {
    const c = loadGatewayConfig({ DIM_TOKEN_SECRET: "s".repeat(32), DIM_ASSIGN_STRATEGY: "least-connections", DIM_ALLOWED_ORIGINS: "https://a.example, http://b.example:8080" });
    expect(c).toMatchObject({
      mode: "embedded",
      tokenSecret: "s".repeat(32),
      assignStrategy: "least-connections",
      allowedOrigins: ["https://a.example", "http://b.example:8080"],
      socketTokenTtlMs: GATEWAY_DEFAULTS.socketTokenTtlMs,
      trustProxy: false,
    });
    expect(loadGatewayConfig({ DIM_TOKEN_SECRET: "s".repeat(32), DIM_TRUST_PROXY: "1" }).trustProxy).toBe(true);
  });

  it("lists every bad variable in one INVALID_CONFIG error", () => {
    let error: unknown;
    try {
      loadGatewayConfig({
        DIM_TOKEN_SECRET: "short",
        DIM_ASSIGN_STRATEGY: "fastest",
        DIM_SOCKET_TOKEN_TTL_MS: "-5",
        DIM_ALLOWED_ORIGINS: "http://ok.example,http://bad.example/path",
        DATABASE_URL: "mysql://x",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.code).toBe(ErrorCode.InvalidConfig);
    for (const name of ["DIM_TOKEN_SECRET", "DIM_ASSIGN_STRATEGY", "DIM_SOCKET_TOKEN_TTL_MS", "DIM_ALLOWED_ORIGINS", "DATABASE_URL"]) {
      expect(e.message).toContain(name);
    }
  });

  it("link previews: on, no allow list by default; the tests-only allow list takes CIDRs only; bad limits refused", () => {
    const secret = { DIM_TOKEN_SECRET: "s".repeat(32) };
    expect(loadGatewayConfig(secret)).toMatchObject({ linkPreviews: true, linkPreviewAllowCidrs: [], linkPreviewTimeoutMs: 5000, linkPreviewMaxBytes: 512 * 1024 });
    expect(loadGatewayConfig({ ...secret, DIM_LINK_PREVIEWS: "0", DIM_LINK_PREVIEW_ALLOW_CIDRS: "127.0.0.1/32, ::1/128" })).toMatchObject({
      linkPreviews: false,
      linkPreviewAllowCidrs: ["127.0.0.1/32", "::1/128"],
    });
    for (const [name, value] of [
      ["DIM_LINK_PREVIEW_ALLOW_CIDRS", "localhost"],
      ["DIM_LINK_PREVIEW_ALLOW_CIDRS", "127.0.0.1/8"],
      ["DIM_LINK_PREVIEW_ALLOW_CIDRS", "10.0.0.0/33"],
      ["DIM_LINK_PREVIEW_TIMEOUT_MS", "60000"],
      ["DIM_LINK_PREVIEW_MAX_BYTES", "10"],
      ["DIM_LINK_PREVIEWS", "yes"],
    ] as const) {
      let error: unknown;
      try {
        loadGatewayConfig({ ...secret, [name]: value });
      } catch (e) {
        error = e;
      }
      expect(error, `${name}=${value}`).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(ErrorCode.InvalidConfig);
      expect((error as AppError).message).toContain(name);
    }
  });

  it("requires DIM_TOKEN_SECRET in cluster mode", () => {
    expect(() => loadGatewayConfig({ DIM_MODE: "cluster" })).toThrow(/DIM_TOKEN_SECRET is required in cluster mode/);
  });

  it("validates the gateway's and the infrastructure's variables together, in one error", () => {
    let error: unknown;
    try {
      loadGatewayProcessConfig({ DIM_MODE: "cluster", DIM_TOKEN_SECRET: "s".repeat(32), DIM_LOGIN_WINDOW_MS: "soon", DIM_KAFKA_BROKERS: "nowhere" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.InvalidConfig);
    for (const name of ["gateway.DIM_LOGIN_WINDOW_MS", "infra.DIM_KAFKA_BROKERS", "infra.DIM_ZK_CONNECT", "infra.DIM_REDIS_URL", "push.DIM_VAPID_PUBLIC_KEY"]) {
      expect((error as AppError).message).toContain(name);
    }
    const ok = loadGatewayProcessConfig({ DIM_TOKEN_SECRET: "s".repeat(32), DIM_SESSION_TTL_MS: "1000" });
    expect(ok.gateway).toMatchObject({ mode: "embedded", sessionTtlMs: 1000, tokenSecret: "s".repeat(32) });
    expect(ok.infra.DIM_MODE).toBe("embedded");
    // Web Push: the embedded default's generated public key, loopback endpoints refused
    expect(ok.gateway.push).toMatchObject({ publicKey: expect.stringMatching(/^B[\w-]{86}$/), allowLoopback: false });
  });

  it("validates the metrics listener with the rest: loopback by default, a token required off loopback", async () => {
    expect(loadGatewayProcessConfig({}).metrics).toEqual({ enabled: true, host: "127.0.0.1", port: 0, token: undefined });
    let error: unknown;
    try {
      loadGatewayProcessConfig({ DIM_METRICS_HOST: "0.0.0.0", DIM_METRICS_PORT: "-1", DIM_LOGIN_WINDOW_MS: "soon" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.InvalidConfig);
    for (const name of ["gateway.DIM_LOGIN_WINDOW_MS", "metrics.DIM_METRICS_PORT", "metrics.DIM_METRICS_TOKEN"]) {
      expect((error as AppError).message).toContain(name);
    }
    // The composition root refuses before it opens anything (no database is reachable here).
    await expect(createGatewayFromEnv({ DIM_METRICS_HOST: "10.0.0.1", DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" })).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === ErrorCode.InvalidConfig && e.message.includes("metrics.DIM_METRICS_TOKEN"),
    );
  });

  it("defaults are the schema's answer to an empty environment", () => {
    expect(GATEWAY_DEFAULTS).toEqual({
      assignStrategy: "round-robin",
      socketTokenTtlMs: 60_000,
      sessionTtlMs: 30 * 24 * 60 * 60 * 1000,
      loginMaxAttempts: 10,
      loginMaxAttemptsPerIp: 50,
      loginWindowMs: 5 * 60 * 1000,
      registerMaxPerIp: 30,
      registerWindowMs: 10 * 60 * 1000,
      searchMaxPerUser: 120,
      searchWindowMs: 60 * 1000,
      allowedOrigins: ["http://localhost:3000", "http://127.0.0.1:3000"],
      trustProxy: false,
      uploadBytesPerDay: 1_073_741_824,
      uploadMaxBytes: 26_214_400,
      uploadMaxPixels: 50_000_000,
      uploadSweepMs: 600_000,
      uploadUnsentTtlMs: 86_400_000,
      uploadWindowMs: 60_000,
      uploadsMaxPerUser: 30,
      maxBodyBytes: 64 * 1024,
      maxBatchSize: 16,
      groupMaxMembers: 1000,
      groupsPerUserMax: 500,
      groupWritesMaxPerUser: 120,
      groupWritesWindowMs: 60 * 1000,
      linkPreviews: true,
      linkPreviewTimeoutMs: 5000,
      linkPreviewMaxBytes: 512 * 1024,
      linkPreviewMaxPerUser: 60,
      linkPreviewWindowMs: 60 * 1000,
      linkPreviewAllowCidrs: [],
    });
    const { databaseUrl, mode, tokenSecret: _secret, ...rest } = loadGatewayConfig({ DIM_TOKEN_SECRET: "s".repeat(32) });
    expect(rest).toEqual(GATEWAY_DEFAULTS);
    expect({ databaseUrl, mode }).toEqual({ databaseUrl: "postgresql://postgres:dim@127.0.0.1:54320/dim", mode: "embedded" });
  });

  it("refuses a short secret in code too", () => {
    expect(() => resolveGatewayConfig({ tokenSecret: "short" })).toThrow(/tokenSecret/);
  });
});
