/**
 * CPU time and memory of server processes, read from /proc (Linux only). A process tree is
 * summed (PostgreSQL's backends, a JVM's threads are one process): live processes' utime+stime,
 * plus the root's cutime+cstime (children it already reaped, e.g. ended PostgreSQL backends).
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: 100 on every Linux we run on (`getconf CLK_TCK`). */
const CLK_TCK = 100;
const PAGE_BYTES = 4096;

interface Stat {
  pid: number;
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  rssPages: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const f = (n: number) => Number(rest[n - 3]);
  return { pid, ppid: f(4), utime: f(14), stime: f(15), cutime: f(16), cstime: f(17), rssPages: f(24) };
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

export interface TreeUsage {
  /** CPU seconds (user + system) of the tree, including reaped children of the root. */
  cpuSeconds: number;
  rssBytes: number;
  processes: number;
}

/** Usage of each root pid's process tree, from one pass over /proc. A dead root reads as zeros. */
export function treeUsage(roots: number[]): TreeUsage[] {
  const stats = allStats();
  const children = new Map<number, Stat[]>();
  const byPid = new Map<number, Stat>();
  for (const s of stats) {
    byPid.set(s.pid, s);
    let list = children.get(s.ppid);
    if (!list) children.set(s.ppid, (list = []));
    list.push(s);
  }
  return roots.map((root) => {
    const r = byPid.get(root);
    if (!r) return { cpuSeconds: 0, rssBytes: 0, processes: 0 };
    let ticks = r.cutime + r.cstime;
    let rss = 0;
    let processes = 0;
    const stack: Stat[] = [r];
    for (let guard = 0; stack.length > 0 && guard < 100_000; guard++) {
      const s = stack.pop()!;
      ticks += s.utime + s.stime;
      rss += s.rssPages * PAGE_BYTES;
      processes++;
      for (const c of children.get(s.pid) ?? []) stack.push(c);
    }
    return { cpuSeconds: ticks / CLK_TCK, rssBytes: rss, processes };
  });
}

/** The 1-minute load average and the number of CPUs, as `uptime` shows them. */
export function loadAverage(): { load1: number; load5: number; load15: number } {
  const [a, b, c] = readFileSync("/proc/loadavg", "utf8").split(" ").map(Number);
  return { load1: a ?? 0, load5: b ?? 0, load15: c ?? 0 };
}

export function machineInfo(): { cpus: number; model: string; memGiB: number; kernel: string; node: string } {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const cpus = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
  const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  return { cpus, model, memGiB: Math.round((memKb / 1024 / 1024) * 10) / 10, kernel, node: process.version };
}

/**
 * CPU seconds of each named process tree over a window that starts `startInMs` from now and lasts
 * `lengthMs` (read from /proc at both ends).
 */
export async function cpuOverWindow(procs: Array<{ name: string; pid: number }>, startInMs: number, lengthMs: number): Promise<Record<string, number>> {
  const pids = procs.map((p) => p.pid);
  const at = (ms: number) => new Promise<TreeUsage[]>((r) => setTimeout(() => r(treeUsage(pids)), ms));
  const [before, after] = await Promise.all([at(startInMs), at(startInMs + lengthMs)]);
  const byProcess: Record<string, number> = {};
  procs.forEach((p, i) => (byProcess[p.name] = Math.round((after[i]!.cpuSeconds - before[i]!.cpuSeconds) * 1000) / 1000));
  return byProcess;
}

/** The resident set of one process in bytes (0 once it is gone): cheap enough to sample every few ms. */
export function rssOf(pid: number): number {
  return (readStat(pid)?.rssPages ?? 0) * PAGE_BYTES;
}
