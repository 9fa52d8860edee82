/**
 * Web Push configuration, read by the gateway (the public VAPID key it hands to browsers, which
 * endpoints it accepts) and by core nodes (which send the pushes, signed with the private key).
 * Cluster mode requires the keys (the same on every process); the embedded default generates a
 * pair once and keeps it in DIM_DATA_DIR/vapid-keys.json, so `npm run dev` needs no setup.
 */
import { createECDH } from "node:crypto";
import { z } from "zod";
import { AppError, ErrorCode } from "../errors";
import { flagVar, modeVar } from "./config";
import { embeddedSecretFile } from "./dev-secret";

const b64url = /^[A-Za-z0-9_-]+$/;

function decodes(s: string, bytes: number): boolean {
  return b64url.test(s) && Buffer.from(s, "base64url").length === bytes;
}

export const VAPID_KEYS_REQUIRED =
  "DIM_VAPID_PUBLIC_KEY, DIM_VAPID_PRIVATE_KEY and DIM_VAPID_SUBJECT are required in cluster mode (the same on the gateway and every core node; `npx web-push generate-vapid-keys` makes a pair)";

export const pushConfigSchema = z
  .object({
    DIM_MODE: modeVar(),
    /** base64url of the uncompressed P-256 public key (65 bytes). */
    DIM_VAPID_PUBLIC_KEY: z.string().refine((s) => decodes(s, 65) && s.startsWith("B"), "must be base64url of a 65-byte uncompressed P-256 public key").optional(),
    /** base64url of the P-256 private key (32 bytes). */
    DIM_VAPID_PRIVATE_KEY: z.string().refine((s) => decodes(s, 32), "must be base64url of a 32-byte P-256 private key").optional(),
    /** Who runs this server, for the push services: `mailto:` or an `https:` URL. */
    DIM_VAPID_SUBJECT: z
      .string()
      .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, "must be a mailto: address or an https: URL")
      .optional(),
    /**
     * Tests and development only: accept push endpoints on loopback (http or https, 127.0.0.0/8,
     * ::1, localhost). Off, endpoints must be https on a public address (no SSRF into the network).
     */
    DIM_PUSH_ALLOW_LOOPBACK: flagVar(false),
  })
  .superRefine((env, ctx) => {
    const pub = env.DIM_VAPID_PUBLIC_KEY;
    const priv = env.DIM_VAPID_PRIVATE_KEY;
    if ((pub === undefined) !== (priv === undefined)) {
      ctx.addIssue({ code: "custom", path: ["DIM_VAPID_PRIVATE_KEY"], message: "set both DIM_VAPID_PUBLIC_KEY and DIM_VAPID_PRIVATE_KEY, or neither" });
      return;
    }
    if (env.DIM_MODE === "cluster" && (pub === undefined || env.DIM_VAPID_SUBJECT === undefined)) {
      ctx.addIssue({ code: "custom", path: ["DIM_VAPID_PUBLIC_KEY"], message: VAPID_KEYS_REQUIRED });
      return;
    }
    if (pub !== undefined && priv !== undefined && decodes(pub, 65) && decodes(priv, 32) && publicKeyOf(priv) !== pub) {
      ctx.addIssue({ code: "custom", path: ["DIM_VAPID_PUBLIC_KEY"], message: "is not the public key of DIM_VAPID_PRIVATE_KEY" });
    }
  });

export type PushEnvConfig = z.infer<typeof pushConfigSchema>;

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export interface PushConfig {
  vapid: VapidKeys;
  allowLoopback: boolean;
}

const DEV_SUBJECT = "mailto:dim-dev@example.invalid";

function publicKeyOf(privateKey: string): string | undefined {
  try {
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(Buffer.from(privateKey, "base64url"));
    return ecdh.getPublicKey().toString("base64url");
  } catch {
    return undefined;
  }
}

/** A fresh VAPID key pair (what `web-push generate-vapid-keys` makes). */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { publicKey: ecdh.getPublicKey().toString("base64url"), privateKey: ecdh.getPrivateKey().toString("base64url") };
}

/** The embedded setup's pair, shared by every process through DIM_DATA_DIR/vapid-keys.json (created once). */
export function embeddedVapidKeys(): { publicKey: string; privateKey: string } {
  const text = embeddedSecretFile("vapid-keys.json", () => JSON.stringify(generateVapidKeys()));
  const keys = JSON.parse(text) as { publicKey?: unknown; privateKey?: unknown };
  if (typeof keys.publicKey !== "string" || typeof keys.privateKey !== "string" || publicKeyOf(keys.privateKey) !== keys.publicKey) {
    throw new AppError(ErrorCode.InvalidConfig, "DIM_DATA_DIR/vapid-keys.json holds no valid VAPID key pair: delete it to make a new one");
  }
  return { publicKey: keys.publicKey, privateKey: keys.privateKey };
}

/** The validated variables as the push code uses them (embedded: the generated pair when none is set). */
export function resolvePushConfig(env: PushEnvConfig): PushConfig {
  const pair =
    env.DIM_VAPID_PUBLIC_KEY !== undefined && env.DIM_VAPID_PRIVATE_KEY !== undefined
      ? { publicKey: env.DIM_VAPID_PUBLIC_KEY, privateKey: env.DIM_VAPID_PRIVATE_KEY }
      : env.DIM_MODE === "embedded"
        ? embeddedVapidKeys()
        : undefined;
  if (pair === undefined) throw new AppError(ErrorCode.InvalidConfig, VAPID_KEYS_REQUIRED);
  return { vapid: { ...pair, subject: env.DIM_VAPID_SUBJECT ?? DEV_SUBJECT }, allowLoopback: env.DIM_PUSH_ALLOW_LOOPBACK };
}

/** The variables of a key pair (scripts and tests that start cluster-mode processes). */
export function vapidEnv(keys: { publicKey: string; privateKey: string } = generateVapidKeys()): Record<string, string> {
  return { DIM_VAPID_PUBLIC_KEY: keys.publicKey, DIM_VAPID_PRIVATE_KEY: keys.privateKey, DIM_VAPID_SUBJECT: DEV_SUBJECT };
}
