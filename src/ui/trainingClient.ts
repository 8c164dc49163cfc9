/**
 * The page's side of the training worker: it owns the `Worker`, sends typed requests and feeds the
 * worker's events into the store.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { RunConfig } from '../game/config';
import type { DataFile, ImageSplit, InspectedSet, WorkerEvent, WorkerRequest } from '../worker/protocol';
import type { CheckedRun } from './savedRuns';
import type { PlaygroundState } from './store';

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
  resume: () => void;
  /** Runs exactly one training step of the paused run, which then stays paused. */
  step: () => void;
  stop: () => void;
  /** Requests the saved-run file of the paused run, with the store's metric history. */
  saveRun: () => Promise<ArrayBuffer>;
  /**
   * Shows a checked saved run's settings and charts. The next `start` with those settings
   * continues it; a `start` with other settings begins a new run and drops it.
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
]);

function isWorkerEvent(data: unknown): data is WorkerEvent {
  if (typeof data !== 'object' || data === null || !('type' in data)) {
    return false;
  }
  return typeof data.type === 'string' && WORKER_EVENT_TYPES.has(data.type);
}

function describeWorkerError(event: Event): string {
  if (event instanceof ErrorEvent && event.message !== '') {
    const where = event.filename === '' ? '' : ` (${event.filename}:${event.lineno})`;
    return `The training worker failed: ${event.message}${where}. Reload the page to start a new worker.`;
  }
  // A worker script that cannot be fetched or parsed raises a plain Event without a message.
  return (
    'The training worker failed to start or crashed without a message. ' +
    'Check the browser console for details, then reload the page.'
  );
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

function attachHandlers(worker: Worker, store: StoreApi<PlaygroundState>, queue: EventQueue, saveWaiters: SaveWaiters): void {
  const { reportError } = store.getState();

  worker.onmessage = (message: MessageEvent<unknown>) => {
    if (isWorkerEvent(message.data) && (message.data.type === 'saved' || message.data.type === 'saveFailed')) {
      answerSave(message.data, saveWaiters);
      return;
    }
    if (isWorkerEvent(message.data)) {
      queue.enqueue(message.data);
      return;
    }
    reportError(
      `Ignored a message from the training worker with an unknown type: ${previewOf(message.data)}.`,
    );
  };
  worker.onerror = (event) => {
    queue.flush();
    reportError(describeWorkerError(event));
  };
  worker.onmessageerror = () =>
    reportError('A message from the training worker could not be deserialized and was dropped.');
}

/**
 * Creates the training worker and returns the commands that drive it. Worker events reach
 * `store.applyEvents` in batches, and worker failures and unreadable files go to `store.reportError`.
 */
export function createTrainingClient(
  store: StoreApi<PlaygroundState>,
  createWorker: () => Worker = createTrainingWorker,
): TrainingClient {
  const { reportError } = store.getState();
  const queue = createEventQueue(store);
  const saveWaiters: SaveWaiters = new Map();
  let lastSaveId = 0;
  let loadedRun: CheckedRun | null = null;
  let worker: Worker | null = null;
  try {
    worker = createWorker();
    attachHandlers(worker, store, queue, saveWaiters);
  } catch (error) {
    reportError(`Starting the training worker failed: ${errorText(error)}. Use a current browser.`);
  }

  const post = (request: WorkerRequest, transfer: Transferable[] = []): void => {
    if (worker === null) {
      reportError(`Cannot send "${request.type}": the training worker is not running. Reload the page.`);
      return;
    }
    worker.postMessage(request, transfer);
  };

  return {
    loadDefaultData: () => {
      const baseUrl = defaultDataUrl();
      queue.flush();
      store.getState().dataRequested(`Fetching CIFAR-10 from ${baseUrl}`);
      post({ type: 'loadData', source: { kind: 'url', baseUrl } });
    },
    loadFiles: (files) => {
      queue.flush();
      return loadFiles(store, post, files);
    },
    start: (config) => {
      // Events of the previous run must land before its charts are cleared, not after.
      queue.flush();
      const resumed = loadedRun !== null && sameSettings(loadedRun.config, config) ? loadedRun : null;
      loadedRun = null;
      if (resumed === null) {
        store.getState().runRequested(config);
        post({ type: 'start', config });
        return;
      }
      store.getState().runResumed(config);
      // A copy goes to the worker, so the checked file stays readable here.
      const snapshot = resumed.bytes.slice(0);
      post({ type: 'start', config, snapshot }, [snapshot]);
    },
    pause: () => post({ type: 'pause' }),
    resume: () => post({ type: 'resume' }),
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
      loadedRun = run;
      store.getState().loadRun(run.config, run.history);
    },
    ...createInspectionCommands(post),
    dispose: () => {
      queue.flush();
      worker?.terminate();
      worker = null;
    },
  };
}

function sameSettings(a: RunConfig, b: RunConfig): boolean {
  return (Object.keys(a) as (keyof RunConfig)[]).every((key) => a[key] === b[key]);
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

async function loadFiles(
  store: StoreApi<PlaygroundState>,
  post: (request: WorkerRequest, transfer: Transferable[]) => void,
  files: readonly File[],
): Promise<void> {
  const { dataRequested, reportError } = store.getState();
  const picked = files.filter((file) => CIFAR_FILE_PATTERN.test(file.name));
  if (picked.length === 0) {
    const found = files.length === 1 ? `The selected file ${files[0]?.name ?? ''} is not` : `None of the ${files.length} selected files is`;
    reportError(
      `${found} a CIFAR-10 file (.bin, .gz, .tgz or .tar). Pick cifar-10-binary.tar.gz, ` +
        'or data_batch_1.bin to data_batch_5.bin and test_batch.bin.',
    );
    return;
  }

  dataRequested(`Reading ${picked.length} selected file${picked.length === 1 ? '' : 's'}`);
  let dataFiles: DataFile[];
  try {
    dataFiles = await Promise.all(
      picked.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })),
    );
  } catch (error) {
    reportError(`Reading the selected files failed: ${errorText(error)}. Pick them again.`);
    return;
  }

  // Transferring the buffers hands them to the worker without copying them.
  post(
    { type: 'loadData', source: { kind: 'files', files: dataFiles } },
    dataFiles.map((file) => file.bytes),
  );
}
