/** The sentence that sums up a chart for readers who cannot see it: latest value, range, trend and size. */

/** One plotted line of a chart: its name and one value per point. */
export interface SummaryLine {
  name: string;
  values: readonly number[];
}

/** Direction of a line over the whole run. */
export type Trend = 'rising' | 'falling' | 'flat';

/**
 * Share of a line's range (max − min) by which the mean of its last quarter must differ from the
 * mean of its first quarter to read as rising or falling. Comparing quarters, not end points,
 * keeps one noisy step from deciding the trend.
 */
export const TREND_THRESHOLD = 0.1;

/** Formats a value with 4 significant digits, without trailing zeros. */
export function formatSummaryValue(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Returns whether finite `values` rise, fall or stay flat, comparing the means of their first and last quarters. */
export function trendOf(values: readonly number[]): Trend {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return 'flat';

  const quarter = Math.max(1, Math.floor(finite.length / 4));
  const change = mean(finite.slice(-quarter)) - mean(finite.slice(0, quarter));
  const range = Math.max(...finite) - Math.min(...finite);
  if (range === 0 || Math.abs(change) < TREND_THRESHOLD * range) return 'flat';
  return change > 0 ? 'rising' : 'falling';
}

function describeLine(line: SummaryLine, latestStep: number): string {
  const finite = line.values.filter(Number.isFinite);
  const latest = line.values[line.values.length - 1];
  if (latest === undefined || finite.length === 0) return `${line.name}: no value`;

  const latestText = `latest ${formatSummaryValue(latest)} at step ${latestStep}`;
  if (line.values.length === 1) return `${line.name}: ${latestText}`;
  const min = formatSummaryValue(Math.min(...finite));
  const max = formatSummaryValue(Math.max(...finite));
  return `${line.name}: ${latestText}, minimum ${min}, maximum ${max}, ${trendOf(line.values)}`;
}

/**
 * Returns a sentence such as "Training loss: 120 points from step 1 to 120. loss: latest 3.2 at
 * step 120, minimum 3.1, maximum 50, falling." `steps` contains the step of each point.
 */
export function chartSummary(title: string, steps: readonly number[], lines: readonly SummaryLine[]): string {
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (first === undefined || last === undefined) return `${title}: no points yet.`;

  const size = steps.length === 1 ? `1 point at step ${first}` : `${steps.length} points from step ${first} to ${last}`;
  return `${title}: ${size}. ${lines.map((line) => describeLine(line, last)).join('. ')}.`;
}
