import { join } from "node:path";
import { REPO_ROOT } from "../../packages/shared/src/node/dev-secret";

/** Everything the launcher writes lives under .infra/ (ignored by git); DIM_INFRA_DIR moves it. */
export const INFRA_ROOT = process.env.DIM_INFRA_DIR ?? join(REPO_ROOT, ".infra");
/** Jars fetched from Maven Central, one directory per artifact and version. Kept across runs. */
export const CACHE_DIR = join(INFRA_ROOT, "cache");
/** `npm run infra:up`'s services: data, logs, generated configs and state.json. */
export const DEFAULT_RUN_DIR = join(INFRA_ROOT, "run");
/** Where the test suite's own services live when none are running already (thrown away after). */
export const TEST_RUN_DIR = join(INFRA_ROOT, "test-run");
export const SCRIPTS_DIR = join(REPO_ROOT, "scripts", "infra");

/**
 * Versions that were proven together with kafkajs 2.2.4 (packages/infra/test/cluster). Override
 * with DIM_KAFKA_VERSION / DIM_ZOOKEEPER_VERSION (any version Maven Central serves).
 */
export const VERSIONS = {
  kafka: process.env.DIM_KAFKA_VERSION ?? "4.1.1",
  zookeeper: process.env.DIM_ZOOKEEPER_VERSION ?? "3.9.4",
  /** The S3 server (Versity Gateway), built from the Go module proxy: versitygw-build.ts. */
  versitygw: process.env.DIM_VERSITYGW_VERSION ?? "1.8.0",
};
