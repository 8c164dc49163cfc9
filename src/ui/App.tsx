import { useEffect } from 'react';
import { CompareRuns } from './CompareRuns';
import { MetricDownloads } from './MetricDownloads';
import { Charts } from './Charts';
import { ConfigPanel, RunControls } from './ConfigPanel';
import { DataPanel } from './DataPanel';
import { ExperimentTable } from './ExperimentTable';
import { GameExplanation, GradientExplanation } from './Explanations';
import { Inspector } from './Inspector';
import { ShortcutAnnouncement, useKeyboardShortcuts } from './KeyboardShortcuts';
import { ShortcutHelp } from './ShortcutHelp';
import { StatusLine } from './StatusLine';
import { usePlayground } from './store';
import type { TrainingClient } from './trainingClient';
import { useView } from './viewStore';
import { ViewToolbar } from './ViewToolbar';
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

/** Renders the settings and the data panels, folded into one `<details>` in lecture mode. */
function SettingsPanels({ client, lectureMode }: { client: TrainingClient; lectureMode: boolean }) {
  // Until the images are loaded, the data panel (with its load errors and file pickers) comes first.
  const dataFirst = usePlayground((state) => state.data.phase !== 'loaded');
  const panels = (
    <>
      {dataFirst && <DataPanel client={client} />}
      <ConfigPanel />
      {!dataFirst && <DataPanel client={client} />}
    </>
  );
  if (!lectureMode) return panels;
  return (
    <details className="lecture-settings" data-testid="lecture-settings">
      <summary>Settings and data</summary>
      {panels}
    </details>
  );
}

/** Puts the lecture mode's larger type on the root element, whose font size every rem follows. */
function useLectureModeClass(lectureMode: boolean): void {
  useEffect(() => {
    document.documentElement.classList.toggle('lecture-mode', lectureMode);
  }, [lectureMode]);
}

/**
 * Renders the playground page: header, errors, status line, run controls and settings, charts,
 * explanations and the language panels. Lecture mode leaves out the exports, the experiment table
 * and the run comparison, and gives the charts and the language panels the whole width.
 */
export function App({ client }: { client: TrainingClient }) {
  useKeyboardShortcuts(client);
  const lectureMode = useView((state) => state.lectureMode);
  const hiddenPanels = useView((state) => state.hiddenPanels);
  useLectureModeClass(lectureMode);
  return (
    <div className={lectureMode ? 'app app-lecture' : 'app'} data-testid="app" data-lecture-mode={lectureMode}>
      <header className="app-header">
        <div className="header-row">
          <h1>Emergent Language Playground</h1>
          <ViewToolbar />
        </div>
        <GameSummary />
        <GameExplanation />
        <ShortcutAnnouncement />
      </header>
      <main>
        <ErrorList />
        <StatusLine />
        <div className="app-main">
          <div className="side-column">
            <RunControls client={client} compact={lectureMode} />
            {!lectureMode && <MetricDownloads />}
            {!hiddenPanels.includes('settings') && <SettingsPanels client={client} lectureMode={lectureMode} />}
          </div>
          {!hiddenPanels.includes('charts') && <Charts />}
        </div>
        <GradientExplanation />
        {!lectureMode && <ExperimentTable />}
        {!lectureMode && <CompareRuns />}
        <div className="language-panels">
          {!hiddenPanels.includes('inspector') && <Inspector client={client} />}
          {!hiddenPanels.includes('explorer') && <VocabularyExplorer client={client} />}
        </div>
      </main>
      <ShortcutHelp />
    </div>
  );
}
