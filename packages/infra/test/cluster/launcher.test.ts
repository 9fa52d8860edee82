import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { checkPrerequisites } from "../../../../scripts/infra/prereqs";
import { goProblem } from "../../../../scripts/infra/versitygw-build";
import { kafkaResponds } from "../../../../scripts/infra/services";
import { clusterState } from "./cluster-env";
import zookeeper from "node-zookeeper-client";

const cli = fileURLToPath(new URL("../../../../scripts/infra/cli.ts", import.meta.url));

describe("infra launcher", () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  it("started every service, healthy, on loopback ports recorded in state.json", async () => {
    const s = clusterState();
    for (const port of [s.zookeeper.port, s.kafka.port, s.redis.port, s.postgres.port, s.s3.port]) expect(port).toBeGreaterThan(0);
    // versitygw answers its health path, and refuses unsigned S3 requests
    expect(s.s3.endpoint).toBe(`http://127.0.0.1:${s.s3.port}`);
    expect((await fetch(`${s.s3.endpoint}/health`)).status).toBe(200);
    expect((await fetch(`${s.s3.endpoint}/`)).status).toBe(403);
    expect(s.s3.accessKeyId).toMatch(/^DIM[0-9A-F]{16}$/);
    expect(await kafkaResponds(s.kafka.brokers)).toBe(true);

    const redis = new Redis(s.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on("error", () => undefined);
    await redis.connect();
    expect(await redis.ping()).toBe("PONG");
    await redis.quit();

    const client = new pg.Client({ connectionString: s.postgres.databaseUrl });
    await client.connect();
    expect((await client.query<{ one: number }>("SELECT 1 AS one")).rows[0]?.one).toBe(1);
    await client.end();

    const zk = zookeeper.createClient(s.zookeeper.connect, { sessionTimeout: 4000 });
    await new Promise<void>((resolve) => {
      zk.once("connected", () => resolve());
      zk.connect();
    });
    const children = await new Promise<string[]>((resolve, reject) =>
      zk.getChildren("/", (err, c) => (err ? reject(err) : resolve(c))),
    );
    expect(children).toContain("zookeeper");
    zk.close();
  });

  it("names exactly what to install when a prerequisite is missing", () => {
    // a PATH with java and mvn but no redis-server
    const bin = mkdtempSync(join(tmpdir(), "dim-prereq-"));
    cleanup.push(() => rmSync(bin, { recursive: true, force: true }));
    for (const tool of ["java", "mvn"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    const saved = process.env.PATH;
    process.env.PATH = bin;
    cleanup.push(() => (process.env.PATH = saved));
    // mvn resolves through its own script (needs /usr/bin): only check redis-server's line
    expect(() => checkPrerequisites({ needMaven: false })).toThrow(/^redis-server not found: apt-get install -y redis-server$/m);
    process.env.PATH = "/nonexistent";
    let message = "";
    try {
      checkPrerequisites({ needMaven: true });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "java not found: apt-get install -y openjdk-17-jre-headless",
      "mvn not found: apt-get install -y maven",
      "redis-server not found: apt-get install -y redis-server",
    ]);
  });

  it("names what is missing to build the S3 server: no Go, or one too old", () => {
    const saved = process.env.DIM_GO;
    cleanup.push(() => (saved === undefined ? delete process.env.DIM_GO : (process.env.DIM_GO = saved)));
    process.env.DIM_GO = "/nonexistent/go";
    expect(goProblem("1.8.0")).toBe(
      "DIM_GO=/nonexistent/go does not run: Go 1.25+ (to build versitygw 1.8.0, the cluster's S3 server, once) — " +
        "install it from https://go.dev/dl into /usr/local/go (Debian 12's golang-go is 1.19, too old), or set DIM_GO=/path/to/go",
    );
    // Debian 12's go: it runs, but cannot build versitygw 1.8.0 (go.mod: go 1.25.0)
    const bin = mkdtempSync(join(tmpdir(), "dim-old-go-"));
    cleanup.push(() => rmSync(bin, { recursive: true, force: true }));
    writeFileSync(join(bin, "go"), "#!/bin/sh\necho go1.19.8\n", { mode: 0o755 });
    process.env.DIM_GO = join(bin, "go");
    expect(goProblem("1.8.0")).toMatch(/^\S+\/go is go1\.19\.8: Go 1\.25\+ \(to build versitygw 1\.8\.0/);
    expect(() => checkPrerequisites({ needMaven: false, needGo: true })).toThrow(/go is go1\.19\.8: Go 1\.25\+/);
    // not needed once the binary is cached: no complaint about Go then
    expect(() => checkPrerequisites({ needMaven: false, needGo: false })).not.toThrow();
  });

  it("infra:down with nothing running says so and succeeds (idempotent)", () => {
    const runDir = mkdtempSync(join(tmpdir(), "dim-infra-empty-"));
    cleanup.push(() => rmSync(runDir, { recursive: true, force: true }));
    for (let i = 0; i < 2; i++) {
      const r = spawnSync(process.execPath, ["--import", "tsx", cli, "down"], {
        encoding: "utf8",
        env: { ...process.env, DIM_INFRA_RUN_DIR: runDir },
      });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("nothing is running");
    }
  });
});
