#!/usr/bin/env node
// Says exactly what is missing before a long command starts. Usage:
//   node scripts/check-prereqs.mjs dev     — the embedded default: Node only
//   node scripts/check-prereqs.mjs test    — the whole suite: + Java 17, Maven, redis-server, Go 1.25+ (until versitygw is built), Chromium, Prometheus
//   node scripts/check-prereqs.mjs cluster — real services: + Java 17, Maven, redis-server, Go 1.25+ (until versitygw is built)
//   node scripts/check-prereqs.mjs bench   — the embedded bench with its Socket.IO baselines: + redis-server
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const mode = process.argv[2] ?? "dev";
const missing = [];

const [major, minor] = process.versions.node.split(".").map(Number);
if (!((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22)) {
  missing.push(`Node.js ${process.versions.node} is too old: install Node 20.19+ (or 22.12+)`);
}

function has(cmd, args = ["--version"]) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.error ? null : `${r.stdout}${r.stderr}`;
}

if (mode === "test" || mode === "cluster") {
  const java = has("java", ["-version"]);
  const m = java && /version "(\d+)/.exec(java);
  if (!java) missing.push("java not found: apt-get install -y openjdk-17-jre-headless");
  else if (m && Number(m[1]) < 17) missing.push(`java ${m[1]} is too old: Java 17+ is needed (apt-get install -y openjdk-17-jre-headless)`);
  if (!has("mvn", ["-v"])) missing.push("mvn not found: apt-get install -y maven");
  if (!has("redis-server")) missing.push("redis-server not found: apt-get install -y redis-server");
  // Go only until the S3 server is built (scripts/infra/versitygw-build.ts keeps the same rule).
  const vgw = process.env.DIM_VERSITYGW_VERSION ?? "1.8.0";
  const infraDir = process.env.DIM_INFRA_DIR ?? new URL("../.infra", import.meta.url).pathname;
  if (!existsSync(`${infraDir}/cache/versitygw-${vgw}/versitygw`)) {
    const gos = process.env.DIM_GO ? [process.env.DIM_GO] : ["go", "/usr/local/go/bin/go"];
    const version = gos.map((go) => has(go, ["env", "GOVERSION"])).find(Boolean)?.trim();
    const v = version && /^go(\d+)\.(\d+)/.exec(version);
    const how = "Go 1.25+ builds versitygw (the cluster's S3 server) once: https://go.dev/dl into /usr/local/go, or DIM_GO=/path/to/go";
    if (!version) missing.push(`go not found: ${how}`);
    else if (v && (Number(v[1]) < 1 || (Number(v[1]) === 1 && Number(v[2]) < 25))) missing.push(`${version} is too old: ${how}`);
  }
}
if (mode === "bench" && !has("redis-server")) {
  missing.push("redis-server not found (the Socket.IO baselines use it): apt-get install -y redis-server, or --systems dim,ws");
}
if (mode === "test" && !existsSync(process.env.DIM_CHROMIUM ?? "/usr/bin/chromium")) {
  missing.push("Chromium not found at /usr/bin/chromium (or $DIM_CHROMIUM): apt-get install -y chromium");
}
if (mode === "test" && !has(process.env.DIM_PROMETHEUS ?? "prometheus")) {
  missing.push("prometheus not found (core-node/test/prometheus-scrape.test.ts scrapes a node with it): apt-get install -y prometheus, or set DIM_PROMETHEUS");
}
if (!existsSync(new URL("../node_modules/.bin/turbo", import.meta.url))) {
  missing.push("dependencies are not installed: run npm install");
}

if (missing.length) {
  console.error(`Missing prerequisites for '${mode}':`);
  for (const line of missing) console.error(`  - ${line}`);
  process.exit(1);
}
