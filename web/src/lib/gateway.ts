"use client";
import { createGatewayClient, type GatewayClient } from "@dim/client";

let client: GatewayClient | null = null;

/**
 * The browser's gateway client: same origin (/api/trpc), authenticated by the httpOnly
 * `dim_session` cookie the gateway sets at login, so no token is ever held in script.
 */
export function gateway(): GatewayClient {
  client ??= createGatewayClient({ baseUrl: "" });
  return client;
}
