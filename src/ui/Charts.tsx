import { type MouseEvent, memo, useEffect, useMemo, useRef, useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { EvalRecord, StepRecord } from '../worker/protocol';
import { downloadChartPng } from './chartImage';
import { chartSummary } from './chartSummary';
import { MetricsExplanation } from './Explanations';
import { FullscreenButton, useMaximisedClass } from './Fullscreen';
import { type RunFault, isRunActive, playgroundStore, usePlayground } from './store';

/**
 * Colours from the Okabe-Ito palette, distinguishable with common colour-vision deficiencies. Two
 * lines of one chart also differ in their dash pattern, so that no reader depends on colour.
 */
const COLORS = { blue: '#0072B2', vermillion: '#D55E00', green: '#009E73', purple: '#CC79A7' };
const CHANCE_COLOR = '#555555';
/** Dash pattern of the second line of a chart. */
const SECOND_LINE_DASH = '10 5';
/** Dotted, unlike any data line. */
const CHANCE_DASH = '2 4';
/** Colour of the solid lines that mark faults, unlike every dashed or coloured line. */
const FAULT_COLOR = '#000000';

/** Minimum time between two redraws of a chart, in milliseconds, because redrawing is the costly part of an update. */
const CHART_REDRAW_MS = 500;

type NumericKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T] & string;

interface SeriesLine<T> {
  dataKey: NumericKey<T>;
  name: string;
  color: string;
  /** SVG stroke-dasharray; solid when absent. */
  dash?: string;
}

interface ChanceLine {
  y: number;
  label: string;
  /** Side of the chart the label sits on, so that two close lines can get opposite sides. */
  side: 'left' | 'right';
}

interface MetricChartProps<T extends { step: number }> {
  testId: string;
  title: string;
  /** Meaning of the metric, in one or two sentences. */
  caption: string;
  points: readonly T[];
  lines: readonly SeriesLine<T>[];
  yDomain: AxisDomain;
  /** Fixed y-axis ticks. When absent, recharts picks them. */
  yTicks?: readonly number[];
  chance?: readonly ChanceLine[];
  /** Faults the run recovered from, marked at the steps where they happened. */
  faults?: readonly RunFault[];
}

type AxisDomain = readonly [number | 'auto', number | 'auto'];

const STEP_DOMAIN: AxisDomain = [0, 'auto'];
const LOSS_DOMAIN: AxisDomain = [0, 'auto'];
const FRACTION_DOMAIN: AxisDomain = [0, 1];
const TOP5_DOMAIN: AxisDomain = [0, 5];
const FRACTION_TICKS = [0, 0.25, 0.5, 0.75, 1];
const TOP5_TICKS = [0, 1, 2, 3, 4, 5];
const NO_CHANCE_LINES: readonly ChanceLine[] = [];
const NO_FAULTS: readonly RunFault[] = [];

const FAULT_LABELS: Record<RunFault['cause'], string> = { diverged: 'diverged', failed: 'failed', workerLost: 'worker lost' };

/** Describes the faults for screen readers, e.g. "Diverged at step 57, back to step 50." */
function faultSummary(faults: readonly RunFault[]): string {
  return faults.map((fault) => `${FAULT_LABELS[fault.cause]} at step ${fault.step}, back to step ${fault.checkpointStep}.`).join(' ');
}

function formatValue(value: unknown): string {
  return typeof value === 'number' ? String(Number(value.toPrecision(4))) : String(value);
}

function summaryOf<T extends { step: number }>(title: string, points: readonly T[], lines: readonly SeriesLine<T>[]): string {
  const steps = points.map((point) => point.step);
  return chartSummary(
    title,
    steps,
    lines.map((line) => ({ name: line.name, values: points.map((point) => Number(point[line.dataKey])) })),
  );
}

/**
 * Returns `value`, but passes a change on at most once per `intervalMs`. The latest value is shown
 * at most `intervalMs` after the previous one, plus timer delay.
 */
function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const lastShownAt = useRef(0);

  useEffect(() => {
    const show = () => {
      lastShownAt.current = performance.now();
      setShown(value);
    };
    const waitMs = lastShownAt.current + intervalMs - performance.now();
    if (waitMs <= 0) {
      show();
      return undefined;
    }
    const timer = setTimeout(show, waitMs);
    return () => clearTimeout(timer);
  }, [value, intervalMs]);

  return shown;
}

/** Saves the chart of the figure the button sits in as `<testId>.png`. */
function SavePngButton({ testId, title }: { testId: string; title: string }) {
  const save = (event: MouseEvent<HTMLButtonElement>) => {
    const figure = event.currentTarget.closest('figure');
    if (figure === null) return;
    downloadChartPng(figure, `${testId}.png`).catch((error: unknown) => {
      playgroundStore.getState().reportNotice(`Saving the chart failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  return (
    <button type="button" className="chart-save" data-testid={`${testId}-png`} aria-label={`Save the ${title} chart as PNG`} onClick={save}>
      PNG
    </button>
  );
}

function MetricChartView<T extends { step: number }>(props: MetricChartProps<T>) {
  const { testId, title, caption, points, lines, yDomain, yTicks, chance = NO_CHANCE_LINES, faults = NO_FAULTS } = props;
  const runActive = usePlayground((state) => isRunActive(state.runState));
  return (
    <figure className="chart" data-testid={testId} data-points={points.length} data-faults={faults.map((fault) => fault.step).join(' ')}>
      <figcaption>
        <span className="chart-title">{title}</span>
        <span className="chart-caption">{caption}</span>
        {points.length > 0 && <SavePngButton testId={testId} title={title} />}
      </figcaption>
      {/* The summary below states the chart's figures, so the drawing is hidden from screen readers and takes no focus. */}
      <div className="chart-body" aria-hidden="true">
        {points.length === 0 ? (
          <p className="chart-empty">{runActive ? 'No points yet.' : 'No points yet. Start a run with Train.'}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid stroke="#d0d0d0" strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" domain={STEP_DOMAIN} allowDecimals={false} />
              <YAxis domain={yDomain} ticks={yTicks} tickFormatter={formatValue} width="auto" />
              <Tooltip formatter={formatValue} labelFormatter={(step) => `step ${String(step)}`} />
              {lines.length > 1 && <Legend />}
              {chance.map((line) => (
                <ReferenceLine
                  key={line.label}
                  y={line.y}
                  stroke={CHANCE_COLOR}
                  strokeDasharray={CHANCE_DASH}
                  label={{
                    value: line.label,
                    position: line.side === 'left' ? 'insideBottomLeft' : 'insideBottomRight',
                    fill: CHANCE_COLOR,
                  }}
                />
              ))}
              {faults.map((fault) => (
                <ReferenceLine
                  key={`${fault.cause}-${fault.step}-${fault.checkpointStep}`}
                  x={fault.step}
                  ifOverflow="extendDomain"
                  stroke={FAULT_COLOR}
                  strokeWidth={2}
                  label={{ value: FAULT_LABELS[fault.cause], position: 'insideTopRight', fill: FAULT_COLOR }}
                />
              ))}
              {lines.map((line) => (
                <Line
                  key={line.dataKey}
                  type="linear"
                  dataKey={line.dataKey}
                  name={line.name}
                  stroke={line.color}
                  strokeDasharray={line.dash}
                  legendType="plainline"
                  strokeWidth={2.5}
                  dot={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
      <p className="chart-summary" data-testid={`${testId}-summary`}>
        {summaryOf(title, points, lines)} {faultSummary(faults)}
      </p>
    </figure>
  );
}

// `memo` keeps a chart from redrawing when its parent re-renders with the same props. The cast
// restores the generic signature that `memo`'s return type drops.
const MetricChart = memo(MetricChartView) as typeof MetricChartView;

const LOSS_LINES: SeriesLine<StepRecord>[] = [{ dataKey: 'loss', name: 'loss', color: COLORS.vermillion }];
const TRAIN_SUCCESS_LINES: SeriesLine<StepRecord>[] = [
  { dataKey: 'trainSuccess', name: 'success', color: COLORS.blue },
];
const COMM_LINES: SeriesLine<EvalRecord>[] = [
  { dataKey: 'commSuccess', name: 'success', color: COLORS.blue },
  { dataKey: 'top5Success', name: 'top-5', color: COLORS.green, dash: SECOND_LINE_DASH },
];
const TOP5_CLASS_LINES: SeriesLine<EvalRecord>[] = [
  { dataKey: 'targetClassInTop5', name: 'images', color: COLORS.purple },
];
const CLASS_RANK_LINES: SeriesLine<EvalRecord>[] = [
  { dataKey: 'targetClassAvgRank', name: 'rank', color: COLORS.vermillion },
];

/**
 * Chance levels when the receiver ranks the candidates at random: each candidate, the target and
 * every distractor alike, is then equally likely to take each of the `batchSize` ranks.
 */
function chanceLines(batchSize: number): Record<'first' | 'firstAndTop5' | 'meanRank', ChanceLine[]> {
  return {
    first: [{ y: 1 / batchSize, label: 'chance', side: 'right' }],
    firstAndTop5: [
      { y: 1 / batchSize, label: 'chance', side: 'left' },
      { y: Math.min(1, 5 / batchSize), label: 'top-5 chance', side: 'right' },
    ],
    meanRank: [{ y: (batchSize + 1) / 2, label: 'chance', side: 'right' }],
  };
}

/** Returns ticks for a rank axis from 1 to `batchSize`: the ends and the quarters between them. */
function rankAxisTicks(batchSize: number): number[] {
  const quarters = [0.25, 0.5, 0.75].map((fraction) => Math.round(batchSize * fraction));
  return [...new Set([1, ...quarters, batchSize])].filter((tick) => tick >= 1 && tick <= batchSize);
}

function StepCharts({ batchSize }: { batchSize: number }) {
  const points = useThrottled(
    usePlayground((state) => state.steps.points),
    CHART_REDRAW_MS,
  );
  const faults = usePlayground((state) => state.faults);
  const chance = useMemo(() => chanceLines(batchSize), [batchSize]);
  return (
    <>
      <MetricChart<StepRecord>
        faults={faults}
        testId="chart-loss"
        title="Training loss"
        caption="Receiver's hinge loss on the training batch, averaged over its games. Lower is better."
        points={points}
        lines={LOSS_LINES}
        yDomain={LOSS_DOMAIN}
      />
      <MetricChart<StepRecord>
        testId="chart-train-success"
        title="Training-batch success"
        caption="Fraction of the training batch's games in which the receiver ranks the target first."
        points={points}
        faults={faults}
        lines={TRAIN_SUCCESS_LINES}
        yDomain={FRACTION_DOMAIN}
        yTicks={FRACTION_TICKS}
        chance={chance.first}
      />
    </>
  );
}

function EvalCharts({ batchSize }: { batchSize: number }) {
  const points = useThrottled(
    usePlayground((state) => state.evals.points),
    CHART_REDRAW_MS,
  );
  const chance = useMemo(() => chanceLines(batchSize), [batchSize]);
  const rankDomain = useMemo<AxisDomain>(() => [1, batchSize], [batchSize]);
  const rankTicks = useMemo(() => rankAxisTicks(batchSize), [batchSize]);
  return (
    <>
      <MetricChart<EvalRecord>
        testId="chart-comm"
        title="Held-out communication success"
        caption="Fraction of held-out test games whose target the receiver ranks first (success) or among its first 5 (top-5)."
        points={points}
        lines={COMM_LINES}
        yDomain={FRACTION_DOMAIN}
        yTicks={FRACTION_TICKS}
        chance={chance.firstAndTop5}
      />
      <MetricChart<EvalRecord>
        testId="chart-top5-class"
        title="Target-class images in the top 5"
        caption="Mean number of images of the target's class, the target included, among the receiver's first 5. It rises when messages carry the class."
        points={points}
        lines={TOP5_CLASS_LINES}
        yDomain={TOP5_DOMAIN}
        yTicks={TOP5_TICKS}
      />
      <MetricChart<EvalRecord>
        testId="chart-class-rank"
        title="Rank of target-class distractors"
        caption="Mean rank (1 is first) of the distractors that share the target's class. It falls when messages carry the class."
        points={points}
        lines={CLASS_RANK_LINES}
        yDomain={rankDomain}
        yTicks={rankTicks}
        chance={chance.meanRank}
      />
    </>
  );
}

/** A point of a series that only some runs record. */
interface OptionalPoint {
  step: number;
  value: number;
}

const ROTATION_LINES: SeriesLine<OptionalPoint>[] = [{ dataKey: 'value', name: 'accuracy', color: COLORS.green }];
const TEMPERATURE_LINES: SeriesLine<OptionalPoint>[] = [{ dataKey: 'value', name: 'temperature', color: COLORS.purple }];
/** A random guess of one of 4 rotations is right a quarter of the time. */
const ROTATION_CHANCE: ChanceLine[] = [{ y: 0.25, label: 'chance', side: 'right' }];

/** Keeps the records that hold a figure, as chart points. */
function optionalPoints<T extends { step: number }>(records: readonly T[], read: (record: T) => number | undefined): OptionalPoint[] {
  return records.flatMap((record) => {
    const value = read(record);
    return value === undefined ? [] : [{ step: record.step, value }];
  });
}

function RotationChart() {
  const evals = useThrottled(
    usePlayground((state) => state.evals.points),
    CHART_REDRAW_MS,
  );
  const points = useMemo(() => optionalPoints(evals, (record) => record.rotationAccuracy), [evals]);
  return (
    <MetricChart<OptionalPoint>
      testId="chart-rotation"
      title="Held-out rotation accuracy"
      caption="Fraction of held-out games in which the predicting agent names the rotation of the sender's image."
      points={points}
      lines={ROTATION_LINES}
      yDomain={FRACTION_DOMAIN}
      yTicks={FRACTION_TICKS}
      chance={ROTATION_CHANCE}
    />
  );
}

function TemperatureChart() {
  const steps = useThrottled(
    usePlayground((state) => state.steps.points),
    CHART_REDRAW_MS,
  );
  const points = useMemo(() => optionalPoints(steps, (record) => record.temperature), [steps]);
  return (
    <MetricChart<OptionalPoint>
      testId="chart-temperature"
      title="Gumbel-softmax temperature"
      caption="Temperature of each training step; learned temperatures are averaged over games and positions."
      points={points}
      lines={TEMPERATURE_LINES}
      yDomain={LOSS_DOMAIN}
    />
  );
}

/** Renders the training and evaluation charts of the current run. Dashed lines mark chance level. */
export function Charts() {
  const batchSize = usePlayground((state) => (state.runConfig ?? state.config).batchSize);
  const predictsRotation = usePlayground((state) => (state.runConfig ?? state.config).rotationTask !== 'none');
  const temperatureChanges = usePlayground((state) => {
    const config = state.runConfig ?? state.config;
    return config.temperatureMode !== 'fixed' && config.channel !== 'reinforce';
  });
  const maximised = useMaximisedClass('charts');
  return (
    <section className={`charts-panel${maximised}`} aria-labelledby="charts-heading" data-panel="charts" data-testid="charts">
      <div className="panel-header">
        <h2 id="charts-heading">Training charts</h2>
        <FullscreenButton panel="charts" title="training charts" />
      </div>
      <MetricsExplanation />
      <div className="charts">
        <StepCharts batchSize={batchSize} />
        <EvalCharts batchSize={batchSize} />
        {predictsRotation && <RotationChart />}
        {temperatureChanges && <TemperatureChart />}
      </div>
    </section>
  );
}
