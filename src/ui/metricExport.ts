/** The run's metric history as CSV and JSON files. */
import type { RunConfig } from '../game/config';
import type { EvalRecord, StepRecord } from '../worker/protocol';

/** Columns of the step records, in file order. */
const STEP_COLUMNS = ['loss', 'trainSuccess', 'gamesPerSecond', 'elapsedMs', 'temperature', 'rotationAccuracy'] as const;

/** Columns of the evaluation records, written with an `eval` prefix. */
const EVAL_COLUMNS = [
  'games',
  'commSuccess',
  'commSuccessStd',
  'top5Success',
  'targetClassInTop5',
  'targetClassAvgRank',
  'rotationAccuracy',
] as const;

function cell(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '' : String(value);
}

/**
 * Writes one row per recorded step, in step order: the training figures of that step and, when
 * the held-out games were evaluated at that step, the evaluation's figures. An evaluation before
 * the first training step gets a row of its own with empty training columns.
 */
export function metricHistoryCsv(steps: readonly StepRecord[], evals: readonly EvalRecord[]): string {
  const stepByNumber = new Map(steps.map((record) => [record.step, record]));
  const evalByNumber = new Map(evals.map((record) => [record.step, record]));
  const numbers = [...new Set([...stepByNumber.keys(), ...evalByNumber.keys()])].sort((a, b) => a - b);

  const header = ['step', ...STEP_COLUMNS, ...EVAL_COLUMNS.map((name) => `eval_${name}`)].join(',');
  const rows = numbers.map((step) => {
    const record = stepByNumber.get(step);
    const evaluation = evalByNumber.get(step);
    return [
      String(step),
      ...STEP_COLUMNS.map((name) => cell(record?.[name])),
      ...EVAL_COLUMNS.map((name) => cell(evaluation?.[name])),
    ].join(',');
  });
  return [header, ...rows].join('\n') + '\n';
}

/** Writes the run's settings and every record as JSON. */
export function metricHistoryJson(config: RunConfig | null, steps: readonly StepRecord[], evals: readonly EvalRecord[]): string {
  return JSON.stringify({ format: 'emergent-language-playground/metrics', version: 1, config, steps, evals }, null, 2);
}

/** Offers `text` to the user as a download named `fileName`. */
export function downloadText(text: string, fileName: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  URL.revokeObjectURL(url);
}
