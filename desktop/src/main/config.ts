/**
 * The desktop app's configuration: which DIM server (gateway + PWA) to load, and the few switches
 * around it. Sources, highest first: command line, environment, settings file, defaults.
 *
 *   --server-url=<url> | --server-url <url>   DIM_DESKTOP_SERVER_URL   settings.json "serverUrl"
 *   --dev                                      DIM_DESKTOP_DEV=1        settings.json "dev"
 *   (none)                                     DIM_DESKTOP_CORE_NODE_ORIGINS=a,b  settings.json "coreNodeOrigins"
 *
 * Everything is validated with zod at boot; a bad value is an AppError(INVALID_CONFIG) naming its
 * source, so the app never starts half-configured.
 */
import { z } from "zod";
import { AppError, ErrorCode } from "@dim/shared";

export const DEFAULT_SERVER_URL = "http://127.0.0.1:3000";
export const SETTINGS_FILE_NAME = "settings.json";
const MAX_URL_LENGTH = 2048;
const MAX_CORE_NODE_ORIGINS = 64;

/** The server the window loads: absolute http(s), a host, no credentials, no fragment. */
export const serverUrlSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(MAX_URL_LENGTH)
  .transform((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: `not a URL: ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `must be an http: or https: URL (got ${url.protocol})` });
      return z.NEVER;
    }
    if (url.username !== "" || url.password !== "") {
      ctx.addIssue({ code: "custom", message: "must not contain a user name or password" });
      return z.NEVER;
    }
    if (url.hostname === "") {
      ctx.addIssue({ code: "custom", message: "must have a host" });
      return z.NEVER;
    }
    url.hash = "";
    return url.href;
  });

/** A core node origin for the CSP's connect-src: ws(s) or http(s) scheme + host (+ port), nothing else. */
export const coreNodeOriginSchema = z
  .string()
  .trim()
  .max(MAX_URL_LENGTH)
  .transform((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: `not a URL: ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    if (!["ws:", "wss:", "http:", "https:"].includes(url.protocol) || url.hostname === "") {
      ctx.addIssue({ code: "custom", message: `must be a ws:, wss:, http: or https: origin (got ${JSON.stringify(raw)})` });
      return z.NEVER;
    }
    if (url.username !== "" || url.password !== "" || (url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
      ctx.addIssue({ code: "custom", message: `must be an origin only, without path, query or credentials (got ${JSON.stringify(raw)})` });
      return z.NEVER;
    }
    return `${url.protocol}//${url.host}`;
  });

/** settings.json in the app's userData directory. Unknown keys are an error (typos must not be silent). */
export const settingsFileSchema = z.strictObject({
  serverUrl: z.string().optional(),
  dev: z.boolean().optional(),
  coreNodeOrigins: z.array(z.string()).max(MAX_CORE_NODE_ORIGINS).optional(),
});
export type SettingsFile = z.infer<typeof settingsFileSchema>;

export interface DesktopConfig {
  /** The URL the window loads (normalised href). */
  serverUrl: string;
  /** Its origin: the only origin the window may show and the only one the bridge answers. */
  serverOrigin: string;
  /** Where the server URL came from, for the logs. */
  serverUrlSource: "cli" | "env" | "settings" | "default";
  /** Allowed WebSocket targets; empty means any ws:/wss: (core nodes are assigned at run time). */
  coreNodeOrigins: string[];
  /** Loosens the CSP for `next dev` (eval for fast refresh). Never for a production server. */
  dev: boolean;
}

export interface ConfigSources {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  /** The settings file's text, or undefined when it does not exist. */
  settingsText?: string | undefined;
  /** For messages only. */
  settingsPath?: string;
}

export interface CliFlags {
  serverUrl?: string;
  dev: boolean;
  /** Malformed flags, as messages. */
  problems: string[];
}

/**
 * Reads our flags from argv, ignoring everything else (Electron and Chromium add their own switches).
 * `--server-url` without a value is a problem.
 */
export function parseCliFlags(argv: readonly string[]): CliFlags {
  const flags: CliFlags = { dev: false, problems: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === undefined) continue;
    if (arg === "--dev") flags.dev = true;
    else if (arg.startsWith("--server-url=")) flags.serverUrl = arg.slice("--server-url=".length);
    else if (arg === "--server-url") {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        flags.problems.push("--server-url: missing value");
        continue;
      }
      flags.serverUrl = next;
      i++;
    }
  }
  return flags;
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join("; ");
}

/** Resolves the configuration from all sources, or throws one AppError(INVALID_CONFIG) listing every problem. */
export function resolveDesktopConfig(sources: ConfigSources): DesktopConfig {
  const problems: string[] = [];
  const settingsLabel = sources.settingsPath ?? SETTINGS_FILE_NAME;

  const flags = parseCliFlags(sources.argv);
  for (const p of flags.problems) problems.push(`  ${p}`);

  let settings: SettingsFile = {};
  if (sources.settingsText !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(sources.settingsText);
    } catch {
      problems.push(`  ${settingsLabel}: not valid JSON`);
    }
    if (json !== undefined) {
      const parsed = settingsFileSchema.safeParse(json);
      if (parsed.success) settings = parsed.data;
      else for (const i of parsed.error.issues) problems.push(`  ${settingsLabel}: ${i.path.join(".") || "(root)"}: ${i.message}`);
    }
  }

  const envUrl = sources.env.DIM_DESKTOP_SERVER_URL;
  const candidates: [DesktopConfig["serverUrlSource"], string, string | undefined][] = [
    ["cli", "--server-url", flags.serverUrl],
    ["env", "DIM_DESKTOP_SERVER_URL", envUrl === "" ? undefined : envUrl],
    ["settings", `${settingsLabel}: serverUrl`, settings.serverUrl],
    ["default", "default", DEFAULT_SERVER_URL],
  ];
  let serverUrl = DEFAULT_SERVER_URL;
  let serverUrlSource: DesktopConfig["serverUrlSource"] = "default";
  for (const [source, label, value] of candidates) {
    if (value === undefined) continue;
    const parsed = serverUrlSchema.safeParse(value);
    if (parsed.success) {
      serverUrl = parsed.data;
      serverUrlSource = source;
    } else problems.push(`  ${label}: ${issuesText(parsed.error)}`);
    break; // the highest source that is set decides; a bad one is an error, never a silent fallback
  }

  // --dev, else DIM_DESKTOP_DEV, else settings.json "dev", else off.
  const envDev = sources.env.DIM_DESKTOP_DEV;
  let dev = settings.dev === true;
  if (envDev !== undefined && envDev !== "") {
    if (envDev === "1" || envDev === "true") dev = true;
    else if (envDev === "0" || envDev === "false") dev = false;
    else problems.push(`  DIM_DESKTOP_DEV: must be 1, true, 0 or false (got ${JSON.stringify(envDev)})`);
  }
  if (flags.dev) dev = true;

  const envOrigins = sources.env.DIM_DESKTOP_CORE_NODE_ORIGINS;
  const rawOrigins =
    envOrigins !== undefined && envOrigins.trim() !== ""
      ? { label: "DIM_DESKTOP_CORE_NODE_ORIGINS", values: envOrigins.split(",").map((s) => s.trim()).filter((s) => s !== "") }
      : { label: `${settingsLabel}: coreNodeOrigins`, values: settings.coreNodeOrigins ?? [] };
  if (rawOrigins.values.length > MAX_CORE_NODE_ORIGINS) problems.push(`  ${rawOrigins.label}: at most ${MAX_CORE_NODE_ORIGINS} origins`);
  const coreNodeOrigins: string[] = [];
  for (const value of rawOrigins.values.slice(0, MAX_CORE_NODE_ORIGINS)) {
    const parsed = coreNodeOriginSchema.safeParse(value);
    if (parsed.success) {
      if (!coreNodeOrigins.includes(parsed.data)) coreNodeOrigins.push(parsed.data);
    } else problems.push(`  ${rawOrigins.label}: ${issuesText(parsed.error)}`);
  }

  if (problems.length > 0) {
    throw new AppError(ErrorCode.InvalidConfig, `invalid desktop configuration:\n${problems.join("\n")}`, {
      problems: problems.map((p) => p.trim()),
    });
  }
  return { serverUrl, serverOrigin: new URL(serverUrl).origin, serverUrlSource, coreNodeOrigins, dev };
}
