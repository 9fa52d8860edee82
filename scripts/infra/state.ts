/**
 * <runDir>/state.json: where the running services are (ports, pids, URLs) and how to control
 * them. Written by the process that owns the services; read by `infra:down`, `infra:status`,
 * the dev scripts and the cluster tests.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pidAlive, processCmdline } from "./services";

export interface InfraState {
  version: 1;
  runDir: string;
  /** The process that owns the services (the detached supervisor, or a test run's main process). */
  ownerPid: number;
  /** Loopback HTTP endpoint of the owner: restart/stop/start/kill9 a service (see control.ts). */
  controlUrl: string;
  startedAt: string;
  zookeeper: { version: string; port: number; pid: number; connect: string };
  kafka: { version: string; port: number; controllerPort: number; pid: number; brokers: string; clusterId: string };
  redis: { version: string; port: number; pid: number; url: string };
  postgres: { port: number; pid: number; adminUrl: string; databaseUrl: string };
  /** Versity Gateway: the S3 API at `endpoint` (path-style), root credentials of this run directory. */
  s3: { version: string; port: number; pid: number; endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
}

/** The environment a DIM process in cluster mode needs to reach these services. */
export function clusterEnv(state: InfraState): Record<string, string> {
  return {
    DIM_MODE: "cluster",
    DIM_KAFKA_BROKERS: state.kafka.brokers,
    DIM_ZK_CONNECT: state.zookeeper.connect,
    DIM_REDIS_URL: state.redis.url,
    DATABASE_URL: state.postgres.databaseUrl,
    // the gateway's blob store (core nodes ignore these)
    DIM_S3_ENDPOINT: state.s3.endpoint,
    DIM_S3_REGION: state.s3.region,
    DIM_S3_ACCESS_KEY_ID: state.s3.accessKeyId,
    DIM_S3_SECRET_ACCESS_KEY: state.s3.secretAccessKey,
  };
}

export function stateFile(runDir: string): string {
  return join(runDir, "state.json");
}

export function writeState(state: InfraState): void {
  const file = stateFile(state.runDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function readState(runDir: string): InfraState | undefined {
  const file = stateFile(runDir);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as InfraState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

export function removeState(runDir: string): void {
  rmSync(stateFile(runDir), { force: true });
}

/**
 * The state, if its owner is alive (the services may still be restarting) and runs every service
 * of this version of the launcher (a supervisor started before the S3 server existed does not).
 */
export function liveState(runDir: string): InfraState | undefined {
  const state = readState(runDir);
  return state && pidAlive(state.ownerPid) && state.s3 !== undefined ? state : undefined;
}

/**
 * Is `pid` still the process state.json says (and not a recycled pid)? Our services carry the
 * run directory in their command line; redis-server rewrites its title to "redis-server host:port".
 */
export function isOurProcess(pid: number, runDir: string, port?: number): boolean {
  if (!pidAlive(pid)) return false;
  const cmd = processCmdline(pid);
  return cmd.includes(runDir) || (port !== undefined && cmd.includes("redis-server") && cmd.includes(`:${port}`));
}
