/// <reference lib="webworker" />
/**
 * The training worker: routes the page's requests to data loading, backend selection and the
 * current training run, and reports every failure as an `error` event instead of dying.
 */
import { type BackendName, type BackendPreference, configProblems } from '../game/config';
import { loadPretrained, pretrainedBackboneOf } from '../game/pretrained';
import { type Cifar10Data, loadCifar10 } from '../data/load';
import { SnapshotError, decodeSnapshot } from '../game/snapshot';
import { selectBackend, watchDeviceLoss } from './backend';
import { answerInspectionRequest } from './inspection';
import type { WorkerEvent, WorkerRequest } from './protocol';
import { TrainingRun, failureMessage } from './run';
import { fetchWeightReader } from './weights';

declare const self: DedicatedWorkerGlobalScope;

let data: Cifar10Data | null = null;
let run: TrainingRun | null = null;
let runFinished: Promise<void> = Promise.resolve();
let activePreference: BackendPreference | null = null;
let backendTask: Promise<void> = Promise.resolve();
let activeBackend: BackendName | null = null;
let deviceLost = false;

/**
 * Time a failed WebGPU step waits for the device's lost promise, in milliseconds: kernels on a
 * lost device fail before that promise resolves, and the loss is the cause worth reporting.
 */
const DEVICE_LOSS_GRACE_MS = 500;

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  self.postMessage(event, transfer);
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
      activeBackend = choice.backend;
      post({ type: 'backend', backend: choice.backend, fallbackReason: choice.fallbackReason });
      watchDeviceLoss((message) => {
        // Nothing more can run on this backend: stop the run, and let the page start a new worker.
        deviceLost = true;
        run?.stop();
        post({ type: 'deviceLost', message });
      });
    });
  return backendTask;
}

/** Events of a run held back while a failed WebGPU step waits to see whether the device was lost; null when none is. */
let heldEvents: { event: WorkerEvent; transfer: Transferable[] }[] | null = null;

/**
 * Sends a run's event. After a failed WebGPU step, it holds back that failure and the events after
 * it for `DEVICE_LOSS_GRACE_MS`. When the device turns out to be lost, the page then learns of the
 * loss instead of the step it broke, and before the run's final `stopped` state.
 */
function postRunEvent(event: WorkerEvent, transfer: Transferable[] = []): void {
  if (heldEvents !== null) {
    heldEvents.push({ event, transfer });
    return;
  }
  if (event.type !== 'runFailed' || event.cause !== 'failed' || activeBackend !== 'webgpu') {
    post(event, transfer);
    return;
  }
  heldEvents = [{ event, transfer }];
  setTimeout(() => {
    const released = heldEvents ?? [];
    heldEvents = null;
    for (const { event: heldEvent, transfer: heldTransfer } of released) {
      if (!(deviceLost && heldEvent.type === 'runFailed')) post(heldEvent, heldTransfer);
    }
  }, DEVICE_LOSS_GRACE_MS);
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
  const startStep = snapshot?.progress.step ?? 0;
  // A failure from here on may have left the backend out of memory: it is reported as a failed
  // run, for which the page replaces the worker.
  const failed = (error: unknown) => postRunEvent({ type: 'runFailed', step: startStep, cause: 'failed', message: failureMessage('Starting the run failed', error) });
  let current: TrainingRun;
  try {
    current = new TrainingRun(request.config, data, postRunEvent, pretrained, snapshot, { startPaused: request.paused === true });
  } catch (error) {
    failed(error);
    post({ type: 'state', state: 'stopped' });
    return;
  }
  run = current;
  runFinished = current.run().catch((error: unknown) => {
    // A saved run that does not fit its game is rejected before the first step.
    if (error instanceof SnapshotError) post({ type: 'error', message: `Resuming the saved run failed: ${error.message}` });
    else failed(error);
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
      run?.resume(request.learningRate);
      return;
    case 'step':
      run?.stepOnce();
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
