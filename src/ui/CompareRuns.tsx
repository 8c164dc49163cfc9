import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { chartSummary } from './chartSummary';
import { type RunSummary, useRunHistory } from './runHistory';

/** Colour-blind-safe line colours (Okabe & Ito), in the order runs are selected. */
const RUN_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** Metrics that can be overlaid; step metrics come from every step, held-out ones from evaluations. */
type CompareMetric = 'loss' | 'commSuccess' | 'targetClassInTop5' | 'targetClassAvgRank';

const METRIC_LABELS: Record<CompareMetric, string> = {
  loss: 'Training loss',
  commSuccess: 'Held-out communication success',
  targetClassInTop5: 'Target-class images in the top 5',
  targetClassAvgRank: 'Rank of target-class distractors',
};

/** Returns the step and value of every record of one run for a metric. */
function pointsOf(run: RunSummary, metric: CompareMetric): { step: number; value: number }[] {
  switch (metric) {
    case 'loss':
      return run.steps.map((record) => ({ step: record.step, value: record.loss }));
    case 'commSuccess':
    case 'targetClassInTop5':
    case 'targetClassAvgRank':
      return run.evals.map((record) => ({ step: record.step, value: record[metric] }));
  }
}

/** Lists finished runs and overlays the selected ones on one chart, with their settings as legend. */
export function CompareRuns() {
  const runs = useRunHistory((state) => state.runs);
  const selected = useRunHistory((state) => state.selected);
  const toggle = useRunHistory((state) => state.toggle);
  const [metric, setMetric] = useState<CompareMetric>('commSuccess');
  const selectedRuns = useMemo(() => runs.filter((run) => selected.includes(run.id)), [runs, selected]);

  return (
    <section className="panel compare-runs" aria-labelledby="compare-heading" data-testid="compare-runs">
      <h2 id="compare-heading">Compare runs</h2>
      {runs.length === 0 ? (
        <p className="panel-note">Finished runs appear here. Select several to overlay their curves.</p>
      ) : (
        <ul className="run-list">
          {runs.map((run) => (
            <li key={run.id}>
              <label>
                <input type="checkbox" data-testid={`compare-run-${run.id}`} checked={selected.includes(run.id)} onChange={() => toggle(run.id)} />
                Run {run.id}: {run.label} ({run.steps.length} steps)
              </label>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor="compare-metric">Metric</label>
      <select id="compare-metric" value={metric} onChange={(event) => setMetric(event.target.value as CompareMetric)}>
        {(Object.keys(METRIC_LABELS) as CompareMetric[]).map((key) => (
          <option key={key} value={key}>
            {METRIC_LABELS[key]}
          </option>
        ))}
      </select>
      {selectedRuns.length > 0 && (
        <figure className="chart" data-testid="compare-chart" data-lines={selectedRuns.length}>
          <figcaption className="chart-title">{METRIC_LABELS[metric]}</figcaption>
          <div className="chart-body">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid stroke="#d0d0d0" strokeDasharray="3 3" />
                <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDecimals={false} />
                <YAxis width="auto" />
                <Tooltip />
                <Legend />
                {selectedRuns.map((run, index) => (
                  <Line
                    key={run.id}
                    data={pointsOf(run, metric)}
                    dataKey="value"
                    name={`Run ${run.id}: ${run.label}`}
                    stroke={RUN_COLORS[index % RUN_COLORS.length]}
                    strokeWidth={2}
                    dot={false}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
          <ul className="chart-summary" data-testid="compare-chart-summary">
            {selectedRuns.map((run) => {
              const points = pointsOf(run, metric);
              const values = points.map((point) => point.value);
              return (
                <li key={run.id}>
                  {chartSummary(`Run ${run.id}`, points.map((point) => point.step), [{ name: METRIC_LABELS[metric], values }])}
                </li>
              );
            })}
          </ul>
        </figure>
      )}
    </section>
  );
}
