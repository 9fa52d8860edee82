export { runBench, spread, type BenchOptions, type BenchResult, type StepSummary, type SystemRun } from "./run";
export { parseArgs, writeResults } from "./cli";
