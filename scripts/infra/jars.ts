/**
 * Kafka and ZooKeeper come from Maven Central: a tiny pom per artifact (scripts/infra/<kind>/pom.xml)
 * and `mvn dependency:copy-dependencies` into .infra/cache/<kind>-<version>/. A `.complete`
 * marker makes the cache all-or-nothing; a present cache is used as is (no Maven needed).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, SCRIPTS_DIR } from "./paths";

export type JarKind = "kafka" | "zookeeper";

export function jarDir(kind: JarKind, version: string): string {
  return join(CACHE_DIR, `${kind}-${version}`);
}

export function jarsCached(kind: JarKind, version: string): boolean {
  return existsSync(join(jarDir(kind, version), ".complete"));
}

/** Returns the directory holding the jars (classpath `<dir>/*`). */
export async function ensureJars(kind: JarKind, version: string, progress: (line: string) => void): Promise<string> {
  const dir = jarDir(kind, version);
  if (jarsCached(kind, version)) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  progress(`${kind} ${version}: fetching jars from Maven Central (mvn dependency:copy-dependencies) …`);
  const pom = join(SCRIPTS_DIR, kind, "pom.xml");
  const args = [
    "-q",
    "-B",
    "-f",
    pom,
    `-D${kind}.version=${version}`,
    "dependency:copy-dependencies",
    `-DoutputDirectory=${tmp}`,
    "-DincludeScope=runtime",
  ];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("mvn", args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr.on("data", (d: Buffer) => output.push(d.toString()));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const tail = output.join("").trim().split("\n").slice(-15).join("\n");
    throw new Error(`mvn could not fetch ${kind} ${version} (exit ${code}):\n${tail}`);
  }
  const jars = readdirSync(tmp).filter((f) => f.endsWith(".jar"));
  if (jars.length === 0) throw new Error(`mvn fetched no jars for ${kind} ${version}`);
  writeFileSync(join(tmp, ".complete"), `${new Date().toISOString()}\n`);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // another launcher finished first: use theirs
    rmSync(tmp, { recursive: true, force: true });
    if (!jarsCached(kind, version)) throw err;
  }
  progress(`${kind} ${version}: ${jars.length} jars cached in ${dir} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  return dir;
}
