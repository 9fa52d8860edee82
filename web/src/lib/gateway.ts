"use client";
import { createGatewayClient, type GatewayClient } from "@dim/client";

let client: GatewayClient | null = null;

/**
 * The browser's gateway client: same origin (/api/trpc), authenticated by the httpOnly
 * `dim_session` cookie the gateway sets at login, so no token is ever held in script.
 */
export function gateway(): GatewayClient {
  client ??= createGatewayClient({ baseUrl: "", fetch: withRefusalsAsOk });
  return client;
}

/**
 * Asks the gateway to answer refusals (signed out, not found, conflict, bad input) with HTTP 200
 * and the same typed error body (docs/protocol.md §3.2): the browser logs every 4xx as a red
 * console error, and a signed-out probe or a refused input is an expected answer, not a fault.
 * The client reads the error from the body either way.
 */
function withRefusalsAsOk(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const headers = new Headers(init?.headers);
  headers.set("x-dim-refusal-status", "200");
  return fetch(input, { ...init, headers });
}
