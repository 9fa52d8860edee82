/**
 * The S3 server of the cluster services is Versity Gateway, built once from the Go module proxy
 * (`go install github.com/versity/versitygw/cmd/versitygw@v<version>`, about 2 minutes on two
 * cores) into .infra/cache/versitygw-<version>/versitygw. The binary is renamed into place only
 * when the build succeeded, so a present binary is a whole one and is used as is (no Go needed).
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR } from "./paths";

export const VERSITYGW_MODULE = "github.com/versity/versitygw/cmd/versitygw";
/** versitygw 1.8.0's go.mod says `go 1.25.0`: an older Go cannot build it. */
export const GO_MIN = { major: 1, minor: 25 };

export function versitygwBinary(version: string): string {
  return join(CACHE_DIR, `versitygw-${version}`, "versitygw");
}

export function versitygwCached(version: string): boolean {
  try {
    accessSync(versitygwBinary(version), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** DIM_GO when set (only it), else `go` on PATH, else Go's default install place; null when none runs. */
export function findGo(): { go: string; version: string; major: number; minor: number } | null {
  const candidates = process.env.DIM_GO ? [process.env.DIM_GO] : ["go", "/usr/local/go/bin/go"];
  for (const go of candidates) {
    const r = spawnSync(go, ["env", "GOVERSION"], { encoding: "utf8", timeout: 30_000 });
    if (r.error || r.status !== 0) continue;
    const version = r.stdout.trim();
    const m = /^go(\d+)\.(\d+)/.exec(version);
    return { go, version, major: Number(m?.[1] ?? 0), minor: Number(m?.[2] ?? 0) };
  }
  return null;
}

/** One line naming what is missing to build versitygw, or null when Go is there and new enough. */
export function goProblem(version: string): string | null {
  const found = findGo();
  const need = `Go ${GO_MIN.major}.${GO_MIN.minor}+ (to build versitygw ${version}, the cluster's S3 server, once)`;
  const how = "install it from https://go.dev/dl into /usr/local/go (Debian 12's golang-go is 1.19, too old), or set DIM_GO=/path/to/go";
  if (!found && process.env.DIM_GO) return `DIM_GO=${process.env.DIM_GO} does not run: ${need} — ${how}`;
  if (!found) return `go not found: ${need} — ${how}`;
  if (found.major < GO_MIN.major || (found.major === GO_MIN.major && found.minor < GO_MIN.minor)) {
    return `${found.go} is ${found.version}: ${need} — ${how}`;
  }
  return null;
}

/** Returns the binary's path, building it first when it is not cached. */
export async function ensureVersitygw(version: string, progress: (line: string) => void): Promise<string> {
  const binary = versitygwBinary(version);
  if (versitygwCached(version)) return binary;
  const problem = goProblem(version);
  if (problem) throw new Error(problem);
  const { go, version: goVersion } = findGo()!;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = join(CACHE_DIR, `versitygw-${version}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
  progress(`versitygw ${version}: building with ${goVersion} (go install ${VERSITYGW_MODULE}@v${version}, about 2 minutes) …`);

  const tail: string[] = [];
  let downloaded = 0;
  let compiled = 0;
  const code = await new Promise<number | null>((resolve, reject) => {
    // -v names each package as it is compiled: the count is the progress shown below.
    const child = spawn(go, ["install", "-v", `${VERSITYGW_MODULE}@v${version}`], {
      env: { ...process.env, GOBIN: tmp, GOFLAGS: "-trimpath" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const ticker = setInterval(() => {
      progress(`versitygw ${version}: still building (${elapsed()}, ${downloaded} modules downloaded, ${compiled} packages compiled) …`);
    }, 15_000);
    const onData = (d: Buffer) => {
      for (const line of d.toString().split("\n")) {
        if (!line.trim()) continue;
        if (line.startsWith("go: downloading ")) downloaded++;
        else compiled++;
        tail.push(line);
        if (tail.length > 15) tail.shift();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on("close", (c) => {
      clearInterval(ticker);
      resolve(c);
    });
  });
  const built = join(tmp, "versitygw");
  if (code !== 0 || !existsSync(built)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`go install of versitygw ${version} failed (exit ${code}) after ${elapsed()}:\n${tail.join("\n")}`);
  }
  mkdirSync(join(CACHE_DIR, `versitygw-${version}`), { recursive: true });
  renameSync(built, binary); // atomic: a concurrent launcher sees no binary or a whole one
  rmSync(tmp, { recursive: true, force: true });
  progress(`versitygw ${version}: built in ${elapsed()} (${compiled} packages), cached at ${binary}`);
  return binary;
}
