import type { ChangeEvent } from 'react';
import { isRunActive, usePlayground, type DataStatus } from './store';
import type { TrainingClient } from './trainingClient';

const BYTES_PER_MB = 1_000_000;

function formatMegabytes(bytes: number): string {
  return `${(bytes / BYTES_PER_MB).toFixed(1)} MB`;
}

function LoadProgress({ status }: { status: Extract<DataStatus, { phase: 'loading' }> }) {
  const known = status.totalBytes > 0;
  return (
    <div className="data-progress" data-testid="data-progress">
      <p>{status.message}</p>
      <progress
        aria-label="CIFAR-10 loading progress"
        max={known ? status.totalBytes : undefined}
        value={known ? status.loadedBytes : undefined}
      />
      {known && (
        <p className="panel-note">
          {formatMegabytes(status.loadedBytes)} of {formatMegabytes(status.totalBytes)}
        </p>
      )}
    </div>
  );
}

function LoadFailure({ message }: { message: string }) {
  return (
    <div className="data-error" data-testid="data-error">
      <p className="data-error-title">Loading CIFAR-10 failed</p>
      <p>{message}</p>
      <p>
        If the files are missing, run <code>npm run setup-data</code> in the project folder and reload
        this page, or pick the files below: <code>cifar-10-binary.tar.gz</code>, or <code>data_batch_1.bin</code>{' '}
        to <code>data_batch_5.bin</code> and <code>test_batch.bin</code>.
      </p>
    </div>
  );
}

function DataSummary({ status }: { status: DataStatus }) {
  switch (status.phase) {
    case 'idle':
      return <p data-testid="data-summary">No images loaded yet.</p>;
    case 'loading':
      return <LoadProgress status={status} />;
    case 'loaded':
      return (
        <p data-testid="data-summary">
          {status.trainImages} training and {status.testImages} test images loaded from{' '}
          {status.sourceLabel}.
        </p>
      );
    case 'failed':
      return <LoadFailure message={status.message} />;
  }
}

/** Renders CIFAR-10 load progress and counts, with pickers to import files the user already has. */
export function DataPanel({ client }: { client: TrainingClient }) {
  const status = usePlayground((state) => state.data);
  const locked = usePlayground((state) => isRunActive(state.runState));

  const onPick = (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const files = Array.from(input.files ?? []);
    // Clearing the input lets the user pick the same files again after a failed load.
    input.value = '';
    if (files.length > 0) {
      void client.loadFiles(files);
    }
  };

  return (
    <section className="panel" aria-labelledby="data-heading">
      <h2 id="data-heading">CIFAR-10 images</h2>
      <DataSummary status={status} />
      <fieldset className="data-pickers" disabled={locked}>
        <legend>Import files you already have</legend>
        <div className="setting">
          <label htmlFor="data-file-input">Files: cifar-10-binary.tar.gz or the .bin batch files</label>
          <input
            id="data-file-input"
            data-testid="data-file-input"
            type="file"
            multiple
            accept=".bin,.gz,.tgz,.tar"
            onChange={onPick}
          />
        </div>
        <div className="setting">
          <label htmlFor="data-folder-input">Folder: cifar-10-batches-bin</label>
          <input
            id="data-folder-input"
            data-testid="data-folder-input"
            type="file"
            webkitdirectory=""
            onChange={onPick}
          />
        </div>
        {locked && <p className="panel-note">Stop the run to load other images.</p>}
      </fieldset>
    </section>
  );
}
