/**
 * The cluster's S3-compatible object store: Versity Gateway (versitygw-build.ts) serving the S3
 * API on 127.0.0.1 over a posix directory (<runDir>/s3/data: one directory per bucket, one file
 * per object), single-account mode with root credentials of its own. The credentials are made
 * once per run directory (<runDir>/s3/credentials.json, mode 0600) and passed through the
 * environment, never the command line, so a restart keeps them and `ps` does not show them.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ManagedProcess, ms, waitHealthy } from "./processes";
import type { Progress, Service } from "./services";

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const HEALTH_PATH = "/health";
export const S3_REGION = "us-east-1";

function credentialsOf(dir: string): S3Credentials {
  const file = join(dir, "credentials.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as S3Credentials;
  const creds: S3Credentials = {
    accessKeyId: `DIM${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
  };
  writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  return creds;
}

export class S3Service implements Service {
  readonly name = "s3";
  private proc: ManagedProcess | undefined;
  private creds: S3Credentials | undefined;
  constructor(readonly opts: { dir: string; port: number; binary: string; version: string }) {}

  get port() {
    return this.opts.port;
  }
  get pid() {
    return this.proc?.running ? this.proc.pid : 0;
  }
  get endpoint() {
    return `http://127.0.0.1:${this.opts.port}`;
  }
  get credentials(): S3Credentials {
    this.creds ??= credentialsOf(this.opts.dir);
    return this.creds;
  }

  async start(progress: Progress) {
    const t0 = Date.now();
    const { dir, port, binary, version } = this.opts;
    const data = join(dir, "data");
    mkdirSync(data, { recursive: true });
    const { accessKeyId, secretAccessKey } = this.credentials;
    const log = join(dir, "versitygw.log");
    appendFileSync(log, `\n=== start ${new Date().toISOString()} ===\n`);
    progress(`s3 (versitygw ${version}): starting on 127.0.0.1:${port} over ${data} …`);
    this.proc = new ManagedProcess(
      binary,
      ["--port", `127.0.0.1:${port}`, "--region", S3_REGION, "--health", HEALTH_PATH, "--quiet", "posix", data],
      log,
      { ...process.env, ROOT_ACCESS_KEY: accessKeyId, ROOT_SECRET_KEY: secretAccessKey },
    );
    await waitHealthy(
      "s3",
      this.proc,
      async () => (await fetch(`${this.endpoint}${HEALTH_PATH}`, { signal: AbortSignal.timeout(2000) })).status === 200,
      30_000,
      log,
    );
    progress(`s3 ready on ${this.endpoint} (${ms(t0)})`);
  }

  async stop() {
    await this.proc?.stop(10_000);
  }
  async kill9() {
    await this.proc?.kill9();
  }
}
