import { useEffect, useState } from 'react';
import { SnapshotError } from '../game/snapshot';
import { type SavedRunInfo, checkRunFile, describeStorageError, listRuns, readRun, storeRun } from './savedRuns';
import { isRunActive, usePlayground } from './store';
import type { TrainingClient } from './trainingClient';

/** A saved-run file offered for download after a save. */
interface Download {
  url: string;
  fileName: string;
}

/** Returns the sentence for a failure to read or check a saved run. */
function loadFailure(error: unknown, source: string): string {
  if (error instanceof SnapshotError) return `Loading ${source} failed, and nothing was changed. ${error.message}`;
  return `Loading ${source} failed, and nothing was changed: ${error instanceof Error ? error.message : String(error)}.`;
}

/**
 * Saves the paused run into the browser's storage and offers its file for download, lists the
 * stored runs, and loads a stored run or a picked file. A loaded run waits paused in the worker.
 */
export function SavedRuns({ client }: { client: TrainingClient }) {
  const runState = usePlayground((state) => state.runState);
  const step = usePlayground((state) => state.latestStep?.step ?? 0);
  const reportError = usePlayground((state) => state.reportNotice);
  const [runs, setRuns] = useState<SavedRunInfo[]>([]);
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  const [download, setDownload] = useState<Download | null>(null);
  const active = isRunActive(runState);
  const dataLoaded = usePlayground((state) => state.data.phase === 'loaded');
  // A saved run is rebuilt in the worker at once, on the images loaded there.
  const canLoad = !active && dataLoaded;

  const refresh = async () => {
    try {
      setRuns(await listRuns());
    } catch (error) {
      reportError(describeStorageError(error, 'Listing the saved runs'));
    }
  };
  useEffect(() => {
    void refresh();
    // Listed once on mount; later changes come from this component's own saves.
  }, []);
  useEffect(() => () => {
    if (download !== null) URL.revokeObjectURL(download.url);
  }, [download]);

  const save = async () => {
    const runName = name.trim() === '' ? `run at step ${step}` : name.trim();
    let bytes: ArrayBuffer;
    try {
      bytes = await client.saveRun();
    } catch (error) {
      reportError(`Saving the run failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    setDownload({ url: URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' })), fileName: `${runName.replace(/[^\w.-]+/g, '-')}.elprun` });
    try {
      await storeRun(runName, step, bytes);
      setStatus(`Saved "${runName}" at step ${step}.`);
      await refresh();
    } catch (error) {
      setStatus('');
      reportError(describeStorageError(error, `Storing "${runName}" in the browser`));
    }
  };

  const load = (bytes: ArrayBuffer, source: string) => {
    try {
      const run = checkRunFile(bytes);
      client.loadRun(run);
      setStatus(`Loaded ${source} at step ${run.step}. It is paused: look at it in the inspector and explorer, or press Resume to continue training it.`);
    } catch (error) {
      setStatus('');
      reportError(loadFailure(error, source));
    }
  };

  const loadStored = async (runName: string) => {
    try {
      load(await readRun(runName), `"${runName}"`);
    } catch (error) {
      reportError(describeStorageError(error, `Reading "${runName}" from the browser`));
    }
  };

  const loadFile = async (file: File) => {
    let bytes: ArrayBuffer;
    try {
      bytes = await file.arrayBuffer();
    } catch (error) {
      reportError(loadFailure(error, file.name));
      return;
    }
    load(bytes, file.name);
  };

  return (
    <div className="saved-runs" data-testid="saved-runs">
      <div className="button-row">
        <input type="text" aria-label="Name of the saved run" data-testid="save-name" placeholder={`run at step ${step}`} value={name} onChange={(event) => setName(event.target.value)} />
        <button type="button" data-testid="save-button" disabled={runState !== 'paused'} onClick={() => void save()}>
          Save
        </button>
        {download !== null && (
          <a href={download.url} download={download.fileName} data-testid="save-download">
            Download file
          </a>
        )}
      </div>
      <label className="panel-note">
        Load file{' '}
        <input
          type="file"
          data-testid="load-file"
          disabled={!canLoad}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file !== undefined) void loadFile(file);
          }}
        />
      </label>
      <ul className="saved-run-list" data-testid="saved-run-list">
        {runs.map((run) => (
          <li key={run.name}>
            {run.name} (step {run.step}){' '}
            <button type="button" data-testid={`load-saved-${run.name}`} disabled={!canLoad} onClick={() => void loadStored(run.name)}>
              Load
            </button>
          </li>
        ))}
      </ul>
      <p className="panel-note" role="status" data-testid="saved-runs-status">
        {status}
      </p>
    </div>
  );
}
