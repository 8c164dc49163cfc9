/** Statistics over repeated timings and the benchmark's printed table. */
import { STEP_PARTS, type StepPart } from '../game/stepTiming';
import type { BackendResult, CaseResult, MatmulResult } from './results';

/** Median, minimum and maximum of a set of measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  count: number;
}

/** Returns the median: the middle value, or the mean of the two middle values of an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('the median of no values is undefined');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] as number;
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Returns the median and range of `values`, which must not be empty. */
export function spreadOf(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), count: values.length };
}

/** Formats a spread as `median (min-max)`, or the lone value when there is one measurement. */
export function formatSpread(spread: Spread, digits: number): string {
  const value = spread.median.toFixed(digits);
  if (spread.count === 1) return value;
  return `${value} (${spread.min.toFixed(digits)}-${spread.max.toFixed(digits)})`;
}

/** Lays out rows under headers in columns padded to their widest cell, separated by ` | `. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/**
 * Returns the highest throughput of any timed product, in GFLOP/s: the denominator of model FLOP
 * utilisation. Other load on the machine can only slow a product down, so the fastest one is the
 * closest to what the backend can do.
 */
export function peakMatmulThroughput(results: readonly MatmulResult[]): number {
  if (results.length === 0) throw new Error('no matrix product was measured');
  return Math.max(...results.flatMap((result) => result.gflopsPerSecond));
}

/** Returns model FLOP utilisation: model FLOPs per second of a step over the matmul throughput. */
export function modelFlopUtilisation(flopsPerStep: number, stepMs: number, matmulGflopsPerSecond: number): number {
  return flopsPerStep / (stepMs / 1000) / (matmulGflopsPerSecond * 1e9);
}

export const TABLE_HEADERS = [
  'case',
  'backend',
  'games/s',
  'step ms',
  'batch',
  'extractor',
  'sender',
  'receiver',
  'loss',
  'optimiser',
  'instrumented ms',
  'peak MB',
  'tensors +',
  'GFLOP/step',
  'matmul GFLOP/s',
  'MFU',
];

/** Median milliseconds of one part over the instrumented steps. */
function partMedian(result: CaseResult, part: StepPart): string {
  return median(result.parts.map((times) => times[part])).toFixed(0);
}

/** Returns the table row of one case; `matmul` is its backend's peak throughput in GFLOP/s. */
export function caseRow(result: CaseResult, label: string, matmul: number): string[] {
  const steps = spreadOf(result.stepMs);
  const gamesPerSecond = spreadOf(result.stepMs.map((ms) => (result.batchSize * 1000) / ms));
  const utilisation = modelFlopUtilisation(result.flops.total, steps.median, matmul);
  const parts = result.parts.length === 0 ? STEP_PARTS.map(() => '-') : STEP_PARTS.map((part) => partMedian(result, part));
  return [
    result.substitution === null ? result.name : `${result.name} *`,
    label,
    formatSpread(gamesPerSecond, 1),
    formatSpread(steps, 0),
    ...parts,
    result.instrumentedMs.length === 0 ? '-' : formatSpread(spreadOf(result.instrumentedMs), 0),
    (result.peakBytes / 1e6).toFixed(0),
    String(result.tensorGrowth),
    (result.flops.total / 1e9).toFixed(1),
    matmul.toFixed(1),
    `${(100 * utilisation).toFixed(0)}%`,
  ];
}

/** Returns the benchmark's table: one row per measured case, one per skipped backend. */
export function benchTable(backends: readonly BackendResult[]): string {
  const rows: string[][] = [];
  for (const backend of backends) {
    if (backend.skipped !== null) {
      rows.push(['(every case)', backend.label, 'skipped', ...TABLE_HEADERS.slice(3).map(() => '-')]);
      continue;
    }
    const matmul = peakMatmulThroughput(backend.matmul);
    for (const result of backend.cases) rows.push(caseRow(result, backend.label, matmul));
  }
  return formatTable(TABLE_HEADERS, rows);
}

/** Returns the lines under the table: backend details, skipped backends, substitutions and matmul shapes. */
export function benchNotes(backends: readonly BackendResult[]): string[] {
  const notes: string[] = [];
  for (const backend of backends) {
    if (backend.skipped !== null) {
      notes.push(`${backend.label}: skipped, because ${backend.skipped}.`);
      continue;
    }
    notes.push(`${backend.label}: ${backend.details}.`);
    const shapes = backend.matmul.map((result) => `${result.m}x${result.k}x${result.n} ${formatSpread(spreadOf(result.gflopsPerSecond), 1)}`);
    notes.push(`${backend.label} tf.matMul GFLOP/s by shape [m x k x n], median (range): ${shapes.join('; ')}.`);
    for (const result of backend.cases) {
      if (result.substitution !== null) notes.push(`* ${result.name}: ${result.substitution}.`);
    }
  }
  return [...new Set(notes)];
}
