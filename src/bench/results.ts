/** Records the benchmark page returns to the command that drives it. */
import type { RunConfig } from '../game/config';
import type { PartTimes } from '../game/stepTiming';
import type { StepFlops } from './flops';

/** One configuration to time, with its step counts. */
export interface BenchCase {
  /** Extractor mode and variant, such as `learned/clean`. */
  name: string;
  config: RunConfig;
  /** Reason the case runs with other settings than its name states; null when it does not. */
  substitution: string | null;
  /** Untimed steps before the timed ones, after the feature cache is filled. */
  warmupSteps: number;
  /** Uninstrumented steps timed as a whole. */
  timedSteps: number;
  /** Steps timed part by part, with a wait for each part's results. */
  instrumentedSteps: number;
}

/** Timings of one case on one backend. */
export interface CaseResult {
  name: string;
  backend: string;
  batchSize: number;
  substitution: string | null;
  /** Wall-clock milliseconds of each uninstrumented step: batch, training step and figure readback. */
  stepMs: number[];
  /** Wall-clock milliseconds of each instrumented step. */
  instrumentedMs: number[];
  /** Milliseconds of each part, one record per instrumented step. */
  parts: PartTimes[];
  /** Largest tensor memory during one more step, in bytes, as `tf.profile` reports it. */
  peakBytes: number;
  /** Tensors alive after the timed steps minus those alive before: 0 when memory stays flat. */
  tensorGrowth: number;
  flops: StepFlops;
}

/** Throughput of `tf.matMul` for one shape: [m, k] x [k, n]. */
export interface MatmulResult {
  m: number;
  k: number;
  n: number;
  /** GFLOP/s of each timed product. */
  gflopsPerSecond: number[];
}

/** Everything measured on one backend, or why it was skipped. */
export interface BackendResult {
  backend: string;
  /** The backend as the table names it, such as `wasm` or `webgpu (software)`. */
  label: string;
  /** Reason the backend was not measured; null when it was. */
  skipped: string | null;
  /** Backend details worth printing: threads, SIMD, adapter, cross-origin isolation. */
  details: string;
  matmul: MatmulResult[];
  cases: CaseResult[];
}
