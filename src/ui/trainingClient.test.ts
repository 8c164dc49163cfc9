import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../game/config';
import type { StepRecord, WorkerEvent, WorkerRequest } from '../worker/protocol';
import { createPlaygroundStore } from './store';
import { EVENT_FLUSH_MS, MAX_RECOVERIES_WITHOUT_PROGRESS, createTrainingClient } from './trainingClient';

/** A stand-in for the training worker: it records requests, and the test plays its events. */
class FakeWorker {
  readonly requests: WorkerRequest[] = [];
  terminated = false;
  onmessage: ((message: MessageEvent<unknown>) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessageerror: (() => void) | null = null;

  postMessage(request: WorkerRequest): void {
    this.requests.push(request);
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Delivers `event` as the real worker's `postMessage` would. */
  emit(event: WorkerEvent): void {
    this.onmessage?.({ data: event } as MessageEvent<unknown>);
  }

  lastRequest(): WorkerRequest | undefined {
    return this.requests[this.requests.length - 1];
  }
}

const CONFIG: RunConfig = { ...DEFAULT_RUN_CONFIG, seed: 3 };

function stepRecord(step: number): StepRecord {
  return { step, loss: 10 - step, trainSuccess: 0.1, gamesPerSecond: 100, elapsedMs: step };
}

function setUp() {
  const store = createPlaygroundStore();
  const workers: FakeWorker[] = [];
  const client = createTrainingClient(store, () => {
    const worker = new FakeWorker();
    workers.push(worker);
    // The client only uses the members FakeWorker implements.
    return worker as unknown as Worker;
  });
  const current = (): FakeWorker => {
    const worker = workers[workers.length - 1];
    if (worker === undefined) throw new Error('no worker was created');
    return worker;
  };
  return { store, client, workers, current };
}

/** Starts a run that reached step 6 with a checkpoint at step 4; returns the checkpoint's bytes. */
function runToStepSix(setup: ReturnType<typeof setUp>): ArrayBuffer {
  const { client, current } = setup;
  client.loadDefaultData();
  current().emit({ type: 'dataLoaded', trainImages: 50_000, testImages: 10_000, sourceLabel: 'served' });
  client.start(CONFIG);
  const bytes = new Uint8Array([1, 2, 3, 4]).buffer;
  current().emit({ type: 'state', state: 'running' });
  current().emit({ type: 'steps', records: [1, 2, 3, 4].map(stepRecord) });
  current().emit({ type: 'checkpoint', step: 4, bytes });
  current().emit({ type: 'steps', records: [5, 6].map(stepRecord) });
  vi.advanceTimersByTime(EVENT_FLUSH_MS);
  return bytes;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('document', { baseURI: 'http://127.0.0.1:4173/' });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('recovery', () => {
  it('restarts a diverged run paused from its checkpoint in the same worker', () => {
    const setup = setUp();
    const bytes = runToStepSix(setup);
    setup.current().emit({ type: 'runFailed', step: 7, cause: 'diverged', message: 'Training diverged at step 7: the loss is NaN.' });

    expect(setup.workers).toHaveLength(1);
    expect(setup.current().requests.map((sent) => sent.type)).toEqual(['loadData', 'start', 'start']);
    const request = setup.current().lastRequest();
    expect(request).toMatchObject({ type: 'start', config: CONFIG, paused: true });
    const snapshot = request?.type === 'start' ? request.snapshot : undefined;
    expect(snapshot).toBeDefined();
    expect(new Uint8Array(snapshot ?? new ArrayBuffer(0))).toEqual(new Uint8Array(bytes));

    const state = setup.store.getState();
    expect(state.stepLog.map((record) => record.step)).toEqual([1, 2, 3, 4]);
    expect(state.faults).toEqual([expect.objectContaining({ cause: 'diverged', step: 7, checkpointStep: 4 })]);
    expect(state.errors[0]?.message).toMatch(/diverged at step 7.*went back to step 4/);
    expect(state.runState).toBe('starting');
  });

  it('replaces a crashed worker, reloads the data, then restarts from the checkpoint', () => {
    const setup = setUp();
    runToStepSix(setup);
    const crashed = setup.current();
    crashed.onerror?.(new Event('error'));

    expect(crashed.terminated).toBe(true);
    expect(setup.workers).toHaveLength(2);
    expect(setup.current().requests).toEqual([{ type: 'loadData', source: { kind: 'url', baseUrl: expect.stringContaining('data/cifar10') } }]);
    expect(setup.store.getState().faults[0]).toMatchObject({ cause: 'workerLost', step: 6, checkpointStep: 4 });

    setup.current().emit({ type: 'dataLoaded', trainImages: 50_000, testImages: 10_000, sourceLabel: 'served' });
    expect(setup.current().lastRequest()).toMatchObject({ type: 'start', config: CONFIG, paused: true });
  });

  it('replaces the worker after a lost GPU device', () => {
    const setup = setUp();
    runToStepSix(setup);
    setup.current().emit({ type: 'deviceLost', message: 'The GPU device was lost (unknown).' });
    expect(setup.workers).toHaveLength(2);
    expect(setup.store.getState().errors[0]?.message).toMatch(/^The GPU device was lost \(unknown\)\. The run went back to step 4/);
  });

  it('gives up after failing again without a newer checkpoint', () => {
    const setup = setUp();
    runToStepSix(setup);
    for (let attempt = 0; attempt <= MAX_RECOVERIES_WITHOUT_PROGRESS; attempt++) {
      setup.current().emit({ type: 'checkpoint', step: 4, bytes: new ArrayBuffer(4) });
      setup.current().emit({ type: 'runFailed', step: 5, cause: 'diverged', message: 'Training diverged at step 5: the loss is NaN.' });
    }
    const starts = setup.current().requests.filter((request) => request.type === 'start');
    expect(starts).toHaveLength(1 + MAX_RECOVERIES_WITHOUT_PROGRESS);
    const state = setup.store.getState();
    expect(state.runState).toBe('stopped');
    expect(state.errors[state.errors.length - 1]?.message).toMatch(/was not restarted; the charts are kept/);
    expect(state.stepLog.map((record) => record.step)).toEqual([1, 2, 3, 4]);
  });

  it('replaces the worker after a start that ran out of memory, and stops', () => {
    const setup = setUp();
    setup.client.loadDefaultData();
    setup.current().emit({ type: 'dataLoaded', trainImages: 50_000, testImages: 10_000, sourceLabel: 'served' });
    setup.client.start(CONFIG);
    setup.current().emit({ type: 'runFailed', step: 0, cause: 'failed', message: 'Starting the run failed: memory access out of bounds.' });

    expect(setup.workers).toHaveLength(2);
    expect(setup.workers[0]?.terminated).toBe(true);
    expect(setup.current().requests.map((request) => request.type)).toEqual(['loadData']);
    const state = setup.store.getState();
    expect(state.runState).toBe('stopped');
    expect(state.errors[0]?.message).toBe('Starting the run failed: memory access out of bounds.');
  });

  it('does not restart a run that was never started', () => {
    const setup = setUp();
    setup.current().onerror?.(new Event('error'));
    expect(setup.workers).toHaveLength(2);
    expect(setup.current().requests).toEqual([]);
    expect(setup.store.getState().errors[0]?.message).toMatch(/The training worker failed/);
  });
});

describe('commands', () => {
  it('builds a loaded run paused in the worker', () => {
    const setup = setUp();
    const bytes = new Uint8Array([9, 8, 7]).buffer;
    setup.client.loadRun({ bytes, config: CONFIG, history: { stepLog: [stepRecord(1)], evalLog: [] }, step: 1 });
    expect(setup.current().lastRequest()).toMatchObject({ type: 'start', config: CONFIG, paused: true });
    expect(setup.store.getState().runState).toBe('starting');
    expect(setup.store.getState().stepLog).toHaveLength(1);
  });

  it('resumes with a new learning rate and records it', () => {
    const setup = setUp();
    runToStepSix(setup);
    setup.client.resume(1e-4);
    expect(setup.current().lastRequest()).toEqual({ type: 'resume', learningRate: 1e-4 });
    expect(setup.store.getState().runConfig?.learningRate).toBe(1e-4);
    setup.client.step();
    expect(setup.current().lastRequest()).toEqual({ type: 'step' });
  });
});
