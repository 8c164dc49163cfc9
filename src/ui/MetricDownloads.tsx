import { downloadText, metricHistoryCsv, metricHistoryJson } from './metricExport';
import { playgroundStore, usePlayground } from './store';

/** Buttons that save the run's whole metric history, unthinned, as CSV or JSON. */
export function MetricDownloads() {
  const recorded = usePlayground((state) => state.stepLog.length + state.evalLog.length);

  const saveCsv = () => {
    const { stepLog, evalLog } = playgroundStore.getState();
    downloadText(metricHistoryCsv(stepLog, evalLog), 'metrics.csv', 'text/csv');
  };
  const saveJson = () => {
    const { runConfig, stepLog, evalLog } = playgroundStore.getState();
    downloadText(metricHistoryJson(runConfig, stepLog, evalLog), 'metrics.json', 'application/json');
  };

  return (
    <div className="metric-downloads">
      <span>Metric history:</span>
      <button type="button" data-testid="download-csv" disabled={recorded === 0} onClick={saveCsv}>
        CSV
      </button>
      <button type="button" data-testid="download-json" disabled={recorded === 0} onClick={saveJson}>
        JSON
      </button>
    </div>
  );
}
