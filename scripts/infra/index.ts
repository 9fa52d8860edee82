/**
 * The launcher as a library, for the dev scripts (`dev:cluster`) and test setups:
 *
 *   import { liveState, clusterEnv, startInfra, infraControl, kill9 } from "../scripts/infra";
 *   const state = liveState(DEFAULT_RUN_DIR);           // services of `npm run infra:up`, or undefined
 *   spawn("tsx", ["core-node/src/main.ts"], { env: { ...process.env, ...clusterEnv(state) } });
 */
export { startInfra, type RunningInfra, type StartInfraOptions, type ControlAction } from "./infra";
export { infraControl, type InfraControl } from "./control";
export { liveState, readState, clusterEnv, type InfraState } from "./state";
export { kill9, killGroup, pidAlive, SERVICE_NAMES, type ServiceName } from "./services";
export { checkPrerequisites, MissingPrerequisiteError } from "./prereqs";
export { DEFAULT_RUN_DIR, TEST_RUN_DIR, VERSIONS } from "./paths";
