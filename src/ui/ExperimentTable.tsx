import type { RunConfig } from '../game/config';
import type { PublishedResult } from '../game/paperResults';
import { PRESETS, type PaperTable, type Preset, type PresetId } from '../game/presets';
import type { EvalRecord } from '../worker/protocol';
import './experiments.css';
import { type PresetResult, isRunActive, usePlayground } from './store';

/** A metric of the published tables, with how to print it. */
interface MetricColumn {
  key: keyof PublishedResult & keyof EvalRecord;
  label: string;
  digits: number;
}

const METRICS: readonly MetricColumn[] = [
  { key: 'commSuccess', label: 'Comm. success', digits: 2 },
  { key: 'top5Success', label: 'Top-5', digits: 2 },
  { key: 'targetClassInTop5', label: 'Class images in top 5', digits: 2 },
  { key: 'targetClassAvgRank', label: 'Class avg. rank', digits: 1 },
];

const ROTATION_METRIC: MetricColumn = { key: 'rotationAccuracy', label: 'Rotation acc.', digits: 2 };

const TABLE_TITLES: Record<PaperTable, string> = {
  extractor: 'Sender images and feature extractor',
  'rotation-task': 'Second task: predicting the rotation of the sender\u2019s image',
};

/** Short names of the settings a run changed from its preset, for the note under its figures. */
const SETTING_NAMES: Partial<Record<keyof RunConfig, string>> = {
  backbone: 'backbone',
  maxSteps: 'training steps',
  evalGames: 'evaluation games',
  batchSize: 'batch size',
};

function formatMetric(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '\u2013' : value.toFixed(digits);
}

function PublishedCell({ published, metric }: { published: PublishedResult; metric: MetricColumn }) {
  const value = published[metric.key];
  const std = metric.key === 'commSuccess' ? ` \u00b1 ${published.commSuccessStd}` : '';
  return <td className="published">{value === undefined ? '\u2013' : `${value}${std}`}</td>;
}

function OurCell({ id, result, metric }: { id: PresetId; result: PresetResult | undefined; metric: MetricColumn }) {
  const record = result?.record;
  const value = record?.[metric.key];
  const std = metric.key === 'commSuccess' && record !== undefined ? ` \u00b1 ${record.commSuccessStd.toFixed(2)}` : '';
  return (
    <td className="ours" data-testid={`preset-ours-${id}-${metric.key}`}>
      {record === undefined ? '\u2013' : `${formatMetric(value, metric.digits)}${std}`}
    </td>
  );
}

function RunNote({ result }: { result: PresetResult | undefined }) {
  if (result === undefined) return null;
  const changed = result.differences.map((key) => SETTING_NAMES[key] ?? key);
  return (
    <span className="run-note">
      step {result.record.step}, {result.record.games} games
      {changed.length > 0 && `; changed: ${changed.join(', ')}`}
    </span>
  );
}

function PresetRow({ preset, metrics, locked }: { preset: Preset; metrics: readonly MetricColumn[]; locked: boolean }) {
  const selected = usePlayground((state) => state.presetId === preset.id);
  const result = usePlayground((state) => state.presetResults[preset.id]);
  const applyPreset = usePlayground((state) => state.applyPreset);
  return (
    <tr className={selected ? 'selected' : undefined} data-testid={`preset-row-${preset.id}`}>
      <th scope="row">
        {preset.label}
        <RunNote result={result} />
      </th>
      <td>
        <button type="button" className="button-secondary" data-testid={`preset-load-${preset.id}`} disabled={locked} onClick={() => applyPreset(preset.id)}>
          {selected ? 'Loaded' : 'Load'}
        </button>
      </td>
      {metrics.map((metric) => [
        <PublishedCell key={`${metric.key}-paper`} published={preset.published} metric={metric} />,
        <OurCell key={`${metric.key}-ours`} id={preset.id} result={result} metric={metric} />,
      ])}
    </tr>
  );
}

function PresetTable({ table }: { table: PaperTable }) {
  const locked = usePlayground((state) => isRunActive(state.runState));
  const metrics = table === 'rotation-task' ? [...METRICS, ROTATION_METRIC] : METRICS;
  const presets = PRESETS.filter((preset) => preset.table === table);
  return (
    <table className="experiment-table" data-testid={`experiment-table-${table}`}>
      <caption>{TABLE_TITLES[table]}</caption>
      <thead>
        <tr>
          <th scope="col" rowSpan={2}>
            Experiment
          </th>
          <th scope="col" rowSpan={2}>
            <span className="sr-only">Load</span>
          </th>
          {metrics.map((metric) => (
            <th scope="colgroup" colSpan={2} key={metric.key}>
              {metric.label}
            </th>
          ))}
        </tr>
        <tr>
          {metrics.map((metric) => [
            <th scope="col" key={`${metric.key}-paper`}>paper</th>,
            <th scope="col" key={`${metric.key}-ours`}>this session</th>,
          ])}
        </tr>
      </thead>
      <tbody>
        {presets.map((preset) => (
          <PresetRow key={preset.id} preset={preset} metrics={metrics} locked={locked} />
        ))}
      </tbody>
    </table>
  );
}

/**
 * Renders every experiment of Mihai & Hare (2019): Load sets the row's settings, and the latest
 * evaluation of this session's run of that row appears beside the published figures.
 */
export function ExperimentTable() {
  return (
    <section className="panel experiments" aria-labelledby="experiments-heading">
      <h2 id="experiments-heading">Experiments of Mihai &amp; Hare (2019)</h2>
      <p className="panel-note">
        Load a row, press Train, and the run&rsquo;s latest held-out evaluation appears beside the published figures
        (Mihai &amp; Hare, &ldquo;Avoiding hashing and encouraging visual semantics in referential emergent language
        games&rdquo;, NeurIPS 2019 Emergent Communication workshop). Rows run VGG16 as the paper does, for 10,000 steps,
        evaluated on the whole test set; pick the narrow backbone to see results within minutes on a CPU. Pretrained rows
        need <code>npm run setup-weights -- vgg16</code> first.
      </p>
      <PresetTable table="extractor" />
      <PresetTable table="rotation-task" />
    </section>
  );
}
