// Summarises a V8 .cpuprofile: self time by function and by file (top N).
// Usage: node profile-summary.mjs <file> [N] [skip-fraction]
import { readFileSync } from "node:fs";
const [file, nArg, fromArg] = process.argv.slice(2);
const fromFraction = Number(fromArg ?? 0); // skip this share of the wall time (start-up)
const p = JSON.parse(readFileSync(file, "utf8"));
const n = Number(nArg ?? 25);
const byId = new Map(p.nodes.map((x) => [x.id, x]));
const self = new Map();
const dt = p.timeDeltas;
const span = p.endTime - p.startTime;
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += dt[i] ?? 0;
  if (t - p.startTime < span * fromFraction) continue;
  self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const files = new Map();
for (const [id, t] of self) {
  const node = byId.get(id);
  const cf = node.callFrame;
  const short = (cf.url || "(native)").replace(/^file:\/\//, "").replace(/.*node_modules\//, "nm/").replace("/work/main/", "");
  const key = `${cf.functionName || "(anon)"}  ${short}:${cf.lineNumber}`;
  fn.set(key, (fn.get(key) ?? 0) + t);
  const pkg = short.startsWith("nm/") ? short.split("/").slice(0, short.split("/")[1].startsWith("@") ? 3 : 2).join("/") : short;
  files.set(pkg, (files.get(pkg) ?? 0) + t);
}
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`).join("\n");
console.log(`total sampled ${(total / 1e6).toFixed(2)} s\n--- by package/file ---\n${top(files)}\n--- by function ---\n${top(fn)}`);
