import { describe, expect, it } from "vitest";
import { AppError, ErrorCode } from "@dim/shared";
import { GATEWAY_DEFAULTS, loadGatewayConfig, resolveGatewayConfig } from "../src/index";

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

  it("requires DIM_TOKEN_SECRET in cluster mode", () => {
    expect(() => loadGatewayConfig({ DIM_MODE: "cluster" })).toThrow(/DIM_TOKEN_SECRET is required in cluster mode/);
  });

  it("refuses a short secret in code too", () => {
    expect(() => resolveGatewayConfig({ tokenSecret: "short" })).toThrow(/tokenSecret/);
  });
});
