// The async primitives every workspace shares: group commit, per-key ordering, rate limits, clocks.
export { NaturalBatcher, type BatchOutcome, type NaturalBatcherOptions } from "./natural-batcher";
export { KeyedSerialQueue } from "./keyed-serial-queue";
export { TokenBucket } from "./token-bucket";
export { KeyedTokenBuckets, type KeyedTokenBucketsOptions, type TakeResult } from "./keyed-token-buckets";
export { sleep, monotonicMs } from "./time";
