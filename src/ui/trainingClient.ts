/**
 * The page's side of the training worker: it owns the `Worker`, sends typed requests and feeds the
 * worker's events into the store.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { RunConfig } from '../game/config';
import type { DataFile, ImageSplit, InspectedSet, WorkerEvent, WorkerRequest } from '../worker/protocol';
import type { CheckedRun } from './savedRuns';
import type { PlaygroundState, RunFault } from './store';

/** File names the data pickers pass on: CIFAR-10 batch files and archives of them. */
export const CIFAR_FILE_PATTERN = /\.(bin|gz|tgz|tar)$/i;

/** Maximum time a worker event waits before it reaches the store, in milliseconds. */
export const EVENT_FLUSH_MS = 100;

/** Commands the page sends to the training worker. */
export interface TrainingClient {
  /** Asks the worker to fetch CIFAR-10 from `data/cifar10` under the page's base URL. */
  loadDefaultData: () => void;
  /** Reads the picked CIFAR-10 files and hands their bytes to the worker. */
  loadFiles: (files: readonly File[]) => Promise<void>;
  /** Starts a new run with `config`, clearing the previous run's charts. */
  start: (config: RunConfig) => void;
  pause: () => void;
  /** Resumes the paused run, with `learningRate` from its next step on when given. */
  resume: (learningRate?: number) => void;
  /** Plays one batch of the paused run, which stays paused. */
  step: () => void;
  stop: () => void;
  /** Requests the saved-run file of the paused run, with the store's metric history. */
  saveRun: () => Promise<ArrayBuffer>;
  /**
   * Shows a checked saved run's settings and charts and builds it paused in the worker, so it can
   * be inspected at once; `resume` continues it.
   */
  loadRun: (run: CheckedRun) => void;
  /** Requests a replay of game `game` of a set for the message inspector; returns the request's id. */
  inspect: (set: InspectedSet, game: number) => number;
  /** Requests a language report on the held-out games now; returns the request's id. */
  requestLanguage: () => number;
  /** Requests the pixels of images of a split; returns the request's id. */
  requestImages: (split: ImageSplit, indices: number[]) => number;
  /** Terminates the worker. Later commands only report an error. */
  dispose: () => void;
}

/** Starts the training worker as a module worker so Vite bundles it with its imports. */
export function createTrainingWorker(): Worker {
  return new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module' });
}

/** Returns the absolute URL of the CIFAR-10 folder that `npm run setup-data` fills. */
export function defaultDataUrl(): string {
  // Absolute, so the worker resolves it the same way whatever the worker script's own URL is.
  return new URL(`${import.meta.env.BASE_URL}data/cifar10`, document.baseURI).href;
}

const WORKER_EVENT_TYPES: ReadonlySet<string> = new Set<WorkerEvent['type']>([
  'backend',
  'dataProgress',
  'dataLoaded',
  'state',
  'steps',
  'eval',
  'error',
  'inspection',
  'language',
  'images',
  'inspectionFailed',
  'saved',
  'saveFailed',
  'checkpoint',
  'runFailed',
  'deviceLost',
]);

function isWorkerEvent(data: unknown): data is WorkerEvent {
  if (typeof data !== 'object' || data === null || !('type' in data)) {
    return false;
  }
  return typeof data.type === 'string' && WORKER_EVENT_TYPES.has(data.type);
}

function describeWorkerError(event: Event): string {
  // ErrorEvent exists in browsers only; the check keeps the client usable in Node tests.
  if (typeof ErrorEvent !== 'undefined' && event instanceof ErrorEvent && event.message !== '') {
    const where = event.filename === '' ? '' : ` (${event.filename}:${event.lineno})`;
    return `The training worker crashed: ${event.message}${where}.`;
  }
  // A worker script that cannot be fetched or parsed raises a plain Event without a message.
  return 'The training worker failed to start or crashed without a message (the browser console may show why).';
}

/** Maximum length of a message preview shown in an error. */
const PREVIEW_CHARS = 200;

/** Returns the start of a message as JSON, for an error about a message the page cannot use. */
function previewOf(data: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(data) ?? String(data);
  } catch {
    // Structured clones may contain cycles or BigInts, which JSON cannot represent.
    text = String(data);
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Worker events waiting to reach the store. */
interface EventQueue {
  enqueue: (event: WorkerEvent) => void;
  /** Applies the queued events now, e.g. before a request that must come after them. */
  flush: () => void;
}

/**
 * Creates a queue that applies worker events to the store in one update per `EVENT_FLUSH_MS`,
 * so a fast worker cannot make the page re-render for every message.
 */
function createEventQueue(store: StoreApi<PlaygroundState>): EventQueue {
  let queued: WorkerEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    const events = queued;
    queued = [];
    if (events.length > 0) {
      store.getState().applyEvents(events);
    }
  };

  const enqueue = (event: WorkerEvent) => {
    queued.push(event);
    timer ??= setTimeout(flush, EVENT_FLUSH_MS);
  };
  return { enqueue, flush };
}

/** Replies of the worker to `save` requests, by request id. */
type SaveWaiters = Map<number, { resolve: (bytes: ArrayBuffer) => void; reject: (error: Error) => void }>;

function answerSave(event: Extract<WorkerEvent, { type: 'saved' | 'saveFailed' }>, waiters: SaveWaiters): void {
  const waiter = waiters.get(event.requestId);
  waiters.delete(event.requestId);
  if (event.type === 'saved') waiter?.resolve(event.bytes);
  else waiter?.reject(new Error(event.message));
}

/** Maximum number of recoveries in a row that bring no newer checkpoint, before the page gives up. */
export const MAX_RECOVERIES_WITHOUT_PROGRESS = 2;

/** The latest checkpoint of the current run: the state the page returns to after a fault. */
interface Checkpoint {
  step: number;
  bytes: ArrayBuffer;
}

/** A `start` request that restores a saved run paused. */
type PausedStart = Extract<WorkerRequest, { type: 'start' }> & { snapshot: ArrayBuffer };

/** Origin of the worker's images, so that a new worker can load them again. */
type DataOrigin = { kind: 'url' } | { kind: 'files'; files: readonly File[] };

/** A fault that ends the worker's run: its kind decides whether the worker itself is replaced. */
interface Fault {
  cause: RunFault['cause'];
  /** Step at which it happened; the latest step on record when the worker was lost. */
  step: number;
  message: string;
  /** Whether the worker must be replaced: it crashed, lost its GPU device, or may have run out of memory. */
  newWorker: boolean;
}

/**
 * Creates the training worker and returns the commands that drive it. Worker events reach
 * `store.applyEvents` in batches, and worker failures and unreadable files go to `store.reportError`.
 *
 * The page keeps the run's latest checkpoint. When the run diverges or fails, or the worker
 * crashes or loses its GPU device, the run restarts paused from that checkpoint, in a new worker
 * where the old one cannot go on. The charts return to the checkpoint's step and mark the fault.
 */
export function createTrainingClient(
  store: StoreApi<PlaygroundState>,
  createWorker: () => Worker = createTrainingWorker,
): TrainingClient {
  const { reportError } = store.getState();
  const queue = createEventQueue(store);
  const saveWaiters: SaveWaiters = new Map();
  let lastSaveId = 0;
  let worker: Worker | null = null;
  let checkpoint: Checkpoint | null = null;
  /** Origin of the images the worker has loaded, and of those it is loading now. */
  let dataOrigin: DataOrigin | null = null;
  let requestedOrigin: DataOrigin | null = null;
  /** A start request that waits for a new worker to load the images. */
  let startAfterLoad: PausedStart | null = null;
  let recoveriesWithoutProgress = 0;

  const post = (request: WorkerRequest, transfer: Transferable[] = []): void => {
    if (worker === null) {
      reportError(`Cannot send "${request.type}": the training worker is not running. Reload the page.`);
      return;
    }
    worker.postMessage(request, transfer);
  };

  /** Returns a request that restores a saved run paused; its copy of `bytes` is transferred, so the page keeps its own. */
  const startPaused = (config: RunConfig, bytes: ArrayBuffer): PausedStart => ({ type: 'start', config, snapshot: bytes.slice(0), paused: true });

  const loadData = (origin: DataOrigin): void => {
    requestedOrigin = origin;
    if (origin.kind === 'files') {
      void loadFiles(store, post, origin.files);
      return;
    }
    const baseUrl = defaultDataUrl();
    store.getState().dataRequested(`Fetching CIFAR-10 from ${baseUrl}`);
    post({ type: 'loadData', source: { kind: 'url', baseUrl } });
  };

  const recover = (fault: Fault): void => {
    queue.flush();
    if (fault.newWorker) replaceWorker();
    const { runConfig, runState } = store.getState();
    const runActive = runState === 'running' || runState === 'paused' || runState === 'starting';
    const noImages = fault.newWorker && dataOrigin === null;
    if (checkpoint === null || runConfig === null || !runActive || noImages || recoveriesWithoutProgress >= MAX_RECOVERIES_WITHOUT_PROGRESS) {
      const gaveUp = runActive && recoveriesWithoutProgress >= MAX_RECOVERIES_WITHOUT_PROGRESS ? ` The run failed again after ${recoveriesWithoutProgress} restarts from step ${checkpoint?.step ?? 0}, so it was not restarted; the charts are kept.` : '';
      reportError(`${fault.message}${gaveUp}`);
      store.getState().applyEvent({ type: 'state', state: 'stopped' });
      if (fault.newWorker && dataOrigin !== null) loadData(dataOrigin);
      return;
    }

    recoveriesWithoutProgress += 1;
    store.getState().runRecovered({ cause: fault.cause, step: fault.step, checkpointStep: checkpoint.step, message: recoveryMessage(fault, checkpoint.step) });
    const request = startPaused(runConfig, checkpoint.bytes);
    if (fault.newWorker && dataOrigin !== null) {
      // The new worker has no images yet: the run restarts once they are loaded.
      startAfterLoad = request;
      loadData(dataOrigin);
      return;
    }
    post(request, [request.snapshot]);
  };

  const onEvent = (event: WorkerEvent): void => {
    switch (event.type) {
      case 'saved':
      case 'saveFailed':
        answerSave(event, saveWaiters);
        return;
      case 'checkpoint':
        if (checkpoint === null || event.step > checkpoint.step) recoveriesWithoutProgress = 0;
        checkpoint = { step: event.step, bytes: event.bytes };
        break;
      case 'runFailed':
        // A failed step may have left the backend out of memory, so it gets a new worker.
        recover({ cause: event.cause, step: event.step, message: event.message, newWorker: event.cause === 'failed' });
        return;
      case 'deviceLost':
        recover({ cause: 'workerLost', step: store.getState().latestStep?.step ?? 0, message: event.message, newWorker: true });
        return;
      case 'dataLoaded':
        dataOrigin = requestedOrigin;
        if (startAfterLoad !== null) {
          const request = startAfterLoad;
          startAfterLoad = null;
          queue.enqueue(event);
          post(request, [request.snapshot]);
          return;
        }
        break;
      default:
        break;
    }
    queue.enqueue(event);
  };

  const attach = (created: Worker): void => {
    created.onmessage = (message: MessageEvent<unknown>) => {
      if (isWorkerEvent(message.data)) onEvent(message.data);
      else reportError(`Ignored a message from the training worker with an unknown type: ${previewOf(message.data)}.`);
    };
    created.onerror = (event) => {
      recover({ cause: 'workerLost', step: store.getState().latestStep?.step ?? 0, message: describeWorkerError(event), newWorker: true });
    };
    created.onmessageerror = () => reportError('A message from the training worker could not be deserialized and was dropped.');
  };

  const replaceWorker = (): void => {
    worker?.terminate();
    worker = null;
    for (const waiter of saveWaiters.values()) waiter.reject(new Error('the training worker was restarted before it sent the saved run'));
    saveWaiters.clear();
    startWorker();
  };

  const startWorker = (): void => {
    try {
      worker = createWorker();
      attach(worker);
    } catch (error) {
      reportError(`Starting the training worker failed: ${errorText(error)}. Use a current browser.`);
    }
  };
  startWorker();

  return {
    loadDefaultData: () => {
      queue.flush();
      loadData({ kind: 'url' });
    },
    loadFiles: async (files) => {
      queue.flush();
      const origin: DataOrigin = { kind: 'files', files: files.slice() };
      if (await loadFiles(store, post, files)) requestedOrigin = origin;
    },
    start: (config) => {
      // Events of the previous run must land before its charts are cleared, not after.
      queue.flush();
      checkpoint = null;
      recoveriesWithoutProgress = 0;
      store.getState().runRequested(config);
      post({ type: 'start', config });
    },
    pause: () => post({ type: 'pause' }),
    resume: (learningRate) => {
      if (learningRate !== undefined) store.getState().learningRateChanged(learningRate);
      post(learningRate === undefined ? { type: 'resume' } : { type: 'resume', learningRate });
    },
    step: () => post({ type: 'step' }),
    stop: () => post({ type: 'stop' }),
    saveRun: () => {
      queue.flush();
      const { stepLog, evalLog } = store.getState();
      lastSaveId += 1;
      const requestId = lastSaveId;
      const answer = new Promise<ArrayBuffer>((resolve, reject) => saveWaiters.set(requestId, { resolve, reject }));
      if (worker === null) saveWaiters.get(requestId)?.reject(new Error('the training worker is not running. Reload the page'));
      post({ type: 'save', requestId, history: { stepLog, evalLog } });
      return answer;
    },
    loadRun: (run) => {
      queue.flush();
      checkpoint = { step: run.step, bytes: run.bytes };
      recoveriesWithoutProgress = 0;
      store.getState().loadRun(run.config, run.history);
      const request = startPaused(run.config, run.bytes);
      post(request, [request.snapshot]);
    },
    ...createInspectionCommands(post),
    dispose: () => {
      queue.flush();
      worker?.terminate();
      worker = null;
    },
  };
}

/** Returns the sentence shown after a fault, saying where the run went back to and what to do. */
function recoveryMessage(fault: Fault, checkpointStep: number): string {
  const where = fault.newWorker ? ' in a new worker' : '';
  const back = `The run went back to step ${checkpointStep}, its last good state, and is paused there${where}; the charts now end at that step.`;
  switch (fault.cause) {
    case 'diverged':
      return `${fault.message} ${back} Resume it with a lower learning rate (the same settings repeat the same steps), or stop it.`;
    case 'failed':
      return `${fault.message} ${back} Resume to try again, or stop it.`;
    case 'workerLost':
      return `${fault.message} ${back} Resume to continue.`;
  }
}

/** Creates the inspector's commands: each sends its request with a new id and returns that id. */
function createInspectionCommands(
  post: (request: WorkerRequest) => void,
): Pick<TrainingClient, 'inspect' | 'requestLanguage' | 'requestImages'> {
  let lastRequestId = 0;
  const send = (requestWithId: (requestId: number) => WorkerRequest): number => {
    lastRequestId += 1;
    post(requestWithId(lastRequestId));
    return lastRequestId;
  };
  return {
    inspect: (set, game) => send((requestId) => ({ type: 'inspect', requestId, set, game })),
    requestLanguage: () => send((requestId) => ({ type: 'language', requestId })),
    requestImages: (split, indices) => send((requestId) => ({ type: 'images', requestId, split, indices })),
  };
}

/** Reads the picked CIFAR-10 files and sends them to the worker; returns whether they were sent. */
async function loadFiles(
  store: StoreApi<PlaygroundState>,
  post: (request: WorkerRequest, transfer: Transferable[]) => void,
  files: readonly File[],
): Promise<boolean> {
  const { dataRequested, reportError } = store.getState();
  const picked = files.filter((file) => CIFAR_FILE_PATTERN.test(file.name));
  if (picked.length === 0) {
    const found = files.length === 1 ? `The selected file ${files[0]?.name ?? ''} is not` : `None of the ${files.length} selected files is`;
    reportError(
      `${found} a CIFAR-10 file (.bin, .gz, .tgz or .tar). Pick cifar-10-binary.tar.gz, ` +
        'or data_batch_1.bin to data_batch_5.bin and test_batch.bin.',
    );
    return false;
  }

  dataRequested(`Reading ${picked.length} selected file${picked.length === 1 ? '' : 's'}`);
  let dataFiles: DataFile[];
  try {
    dataFiles = await Promise.all(
      picked.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })),
    );
  } catch (error) {
    reportError(`Reading the selected files failed: ${errorText(error)}. Pick them again.`);
    return false;
  }

  // Transferring the buffers hands them to the worker without copying them.
  post(
    { type: 'loadData', source: { kind: 'files', files: dataFiles } },
    dataFiles.map((file) => file.bytes),
  );
  return true;
}
