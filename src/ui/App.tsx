import { CompareRuns } from './CompareRuns';
import { MetricDownloads } from './MetricDownloads';
import { Charts } from './Charts';
import { ConfigPanel, RunControls } from './ConfigPanel';
import { DataPanel } from './DataPanel';
import { ExperimentTable } from './ExperimentTable';
import { Inspector } from './Inspector';
import { StatusLine } from './StatusLine';
import { usePlayground } from './store';
import type { TrainingClient } from './trainingClient';
import { VocabularyExplorer } from './VocabularyExplorer';

function GameSummary() {
  const maxLen = usePlayground((state) => (state.runConfig ?? state.config).maxLen);
  const vocabSize = usePlayground((state) => (state.runConfig ?? state.config).vocabSize);
  const batchSize = usePlayground((state) => (state.runConfig ?? state.config).batchSize);
  return (
    <p className="game-summary">
      The sender sees a target image and sends a message of up to {maxLen} tokens from a vocabulary
      of {vocabSize}. The receiver reads the message and picks the target among {batchSize}{' '}
      candidate images.
    </p>
  );
}

function ErrorList() {
  const errors = usePlayground((state) => state.errors);
  const dismissError = usePlayground((state) => state.dismissError);
  if (errors.length === 0) {
    return null;
  }
  return (
    <div className="error-region" role="alert" data-testid="error">
      {errors.map((error) => (
        <div className="error-item" key={error.id}>
          <p className="error-message">
            {error.message}
            {error.repeats > 1 && <span className="error-repeats"> (×{error.repeats})</span>}
          </p>
          <button
            type="button"
            className="button-secondary"
            data-testid="error-dismiss"
            aria-label="Dismiss this error"
            onClick={() => dismissError(error.id)}
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}

/** Renders the playground page: header, errors, status line, settings and data on the left, charts on the right. */
export function App({ client }: { client: TrainingClient }) {
  // Until the images are loaded, the data panel (with its load errors and file pickers) comes first.
  const dataFirst = usePlayground((state) => state.data.phase !== 'loaded');
  return (
    <div className="app">
      <header className="app-header">
        <h1>Emergent Language Playground</h1>
        <GameSummary />
      </header>
      <ErrorList />
      <StatusLine />
      <main className="app-main">
        <div className="side-column">
          <RunControls client={client} />
          <MetricDownloads />
          {dataFirst && <DataPanel client={client} />}
          <ConfigPanel />
          {!dataFirst && <DataPanel client={client} />}
        </div>
        <Charts />
      </main>
      <ExperimentTable />
      <CompareRuns />
      <div className="language-panels">
        <Inspector client={client} />
        <VocabularyExplorer client={client} />
      </div>
    </div>
  );
}
