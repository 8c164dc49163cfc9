/// <reference lib="webworker" />
/**
 * The training worker: routes the page's requests to data loading, backend selection and the
 * current training run, and reports every failure as an `error` event instead of dying.
 */
import { type BackendPreference, configProblems } from '../game/config';
import { loadPretrained, pretrainedBackboneOf } from '../game/pretrained';
import { type Cifar10Data, loadCifar10 } from '../data/load';
import { SnapshotError, decodeSnapshot } from '../game/snapshot';
import { selectBackend } from './backend';
import { answerInspectionRequest } from './inspection';
import type { WorkerEvent, WorkerRequest } from './protocol';
import { TrainingRun } from './run';
import { fetchWeightReader } from './weights';

declare const self: DedicatedWorkerGlobalScope;

let data: Cifar10Data | null = null;
let run: TrainingRun | null = null;
let runFinished: Promise<void> = Promise.resolve();
let activePreference: BackendPreference | null = null;
let backendTask: Promise<void> = Promise.resolve();

function post(event: WorkerEvent): void {
  self.postMessage(event);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Switches to the preferred backend after any switch already under way has settled. */
function useBackend(preference: BackendPreference): Promise<void> {
  backendTask = backendTask
    .catch(() => undefined)
    .then(async () => {
      if (preference === activePreference) return;
      const choice = await selectBackend(preference);
      activePreference = preference;
      post({ type: 'backend', backend: choice.backend, fallbackReason: choice.fallbackReason });
    });
  return backendTask;
}

async function stopRun(): Promise<void> {
  run?.stop();
  await runFinished;
  run = null;
}

async function start(request: Extract<WorkerRequest, { type: 'start' }>): Promise<void> {
  await stopRun();
  if (data === null) throw new Error('No CIFAR-10 data is loaded yet. Load the data, then press Train.');
  const snapshot = request.snapshot === undefined ? null : decodeSnapshot(request.snapshot);
  const problems = configProblems(request.config);
  if (problems.length > 0) throw new Error(`These settings cannot run: ${problems.join(' ')}`);
  post({ type: 'state', state: 'starting' });
  await useBackend(request.config.backend);
  const backbone = pretrainedBackboneOf(request.config);
  const weightsUrl = new URL(`${import.meta.env.BASE_URL}weights/`, self.location.origin).href;
  const pretrained = backbone === null ? null : await loadPretrained(backbone, fetchWeightReader(weightsUrl));
  const current = new TrainingRun(request.config, data, post, pretrained, snapshot);
  run = current;
  runFinished = current.run().catch((error: unknown) => {
    // A saved run that does not fit its game is rejected before the first step.
    const message = error instanceof SnapshotError ? `Resuming the saved run failed: ${error.message}` : `Training failed at a step: ${describe(error)}`;
    post({ type: 'error', message });
  });
}

async function save(request: Extract<WorkerRequest, { type: 'save' }>): Promise<void> {
  try {
    if (run === null) throw new Error('There is no run to save. Train, pause, then save.');
    const bytes = await run.snapshot(request.history);
    self.postMessage({ type: 'saved', requestId: request.requestId, bytes } satisfies WorkerEvent, [bytes]);
  } catch (error) {
    post({ type: 'saveFailed', requestId: request.requestId, message: describe(error) });
  }
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'loadData': {
      data = await loadCifar10(request.source, (progress) => post({ type: 'dataProgress', ...progress }));
      post({ type: 'dataLoaded', trainImages: data.train.count, testImages: data.test.count, sourceLabel: data.sourceLabel });
      return;
    }
    case 'start':
      return start(request);
    case 'pause':
      run?.pause();
      return;
    case 'resume':
      run?.resume();
      return;
    case 'step':
      return;
    case 'stop':
      return stopRun();
    case 'save':
      return save(request);
    case 'inspect':
    case 'language':
    case 'images':
      // Handled between training steps, or at once while the run is paused.
      return answerInspectionRequest(request, run?.inspector ?? null, data, (event, transfer) => self.postMessage(event, transfer));
  }
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  handle(event.data).catch((error: unknown) => {
    post({ type: 'error', message: describe(error) });
    if (event.data.type === 'start') post({ type: 'state', state: 'stopped' });
  });
};

// Show the backend before the first run: the page's status line reads it from this event.
useBackend('auto').catch((error: unknown) => post({ type: 'error', message: describe(error) }));
