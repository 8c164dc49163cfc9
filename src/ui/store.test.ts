import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG } from '../game/config';
import type { EvalRecord, StepRecord } from '../worker/protocol';
import {
  appendToSeries,
  createPlaygroundStore,
  emptySeries,
  isRunActive,
  MAX_SHOWN_ERRORS,
  parseNumericField,
} from './store';

function stepRecord(step: number, loss = 1): StepRecord {
  return { step, loss, trainSuccess: 0.5, gamesPerSecond: 200, elapsedMs: step * 10 };
}

function evalRecord(step: number, commSuccess: number): EvalRecord {
  return {
    step,
    games: 1024,
    commSuccess,
    commSuccessStd: 0.5,
    top5Success: 0.9,
    targetClassInTop5: 1.5,
    targetClassAvgRank: 40,
  };
}

describe('applyEvent', () => {
  it('appends step records and keeps the latest', () => {
    const store = createPlaygroundStore();
    const { applyEvent } = store.getState();

    applyEvent({ type: 'steps', records: [stepRecord(1, 4.2), stepRecord(2, 4.1)] });
    applyEvent({ type: 'steps', records: [stepRecord(3, 3.9)] });

    const state = store.getState();
    expect(state.steps.points.map((record) => record.step)).toEqual([1, 2, 3]);
    expect(state.steps.received).toBe(3);
    expect(state.latestStep?.step).toBe(3);
    expect(state.latestStep?.loss).toBe(3.9);
  });

  it('ignores an empty steps event', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({ type: 'steps', records: [stepRecord(1)] });
    store.getState().applyEvent({ type: 'steps', records: [] });

    expect(store.getState().steps.points).toHaveLength(1);
    expect(store.getState().latestStep?.step).toBe(1);
  });

  it('appends eval records', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({ type: 'eval', record: evalRecord(50, 0.1) });
    store.getState().applyEvent({ type: 'eval', record: evalRecord(100, 0.3) });

    const state = store.getState();
    expect(state.evals.points.map((record) => record.commSuccess)).toEqual([0.1, 0.3]);
    expect(state.latestEval?.step).toBe(100);
  });

  it('stores backend and fallback reason', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({
      type: 'backend',
      backend: 'wasm',
      fallbackReason: 'WebGPU is not available in this browser.',
    });
    expect(store.getState().backend).toBe('wasm');
    expect(store.getState().backendFallbackReason).toBe('WebGPU is not available in this browser.');

    store.getState().applyEvent({ type: 'backend', backend: 'webgpu', fallbackReason: null });
    expect(store.getState().backend).toBe('webgpu');
    expect(store.getState().backendFallbackReason).toBeNull();
  });

  it('tracks data progress then counts', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({
      type: 'dataProgress',
      message: 'Fetching data_batch_1.bin',
      loadedBytes: 10,
      totalBytes: 100,
    });
    expect(store.getState().data).toEqual({
      phase: 'loading',
      message: 'Fetching data_batch_1.bin',
      loadedBytes: 10,
      totalBytes: 100,
    });

    store.getState().applyEvent({
      type: 'dataLoaded',
      trainImages: 50000,
      testImages: 10000,
      sourceLabel: 'data/cifar10',
    });
    expect(store.getState().data).toEqual({
      phase: 'loaded',
      trainImages: 50000,
      testImages: 10000,
      sourceLabel: 'data/cifar10',
    });
  });

  it('follows run state transitions', () => {
    const store = createPlaygroundStore();
    expect(store.getState().runState).toBe('idle');

    for (const runState of ['starting', 'running', 'paused', 'running', 'stopped'] as const) {
      store.getState().applyEvent({ type: 'state', state: runState });
      expect(store.getState().runState).toBe(runState);
    }
  });

  it('shows worker errors until dismissed', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({ type: 'error', message: 'first' });
    store.getState().applyEvent({ type: 'error', message: 'second' });

    const errors = store.getState().errors;
    expect(errors.map((error) => error.message)).toEqual(['first', 'second']);
    expect(errors[0]?.id).not.toBe(errors[1]?.id);

    store.getState().dismissError(errors[0]?.id ?? -1);
    expect(store.getState().errors.map((error) => error.message)).toEqual(['second']);
  });

  it('counts a repeated error once', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({ type: 'error', message: 'same' });
    store.getState().applyEvent({ type: 'error', message: 'same' });

    expect(store.getState().errors).toHaveLength(1);
    expect(store.getState().errors[0]?.repeats).toBe(2);
  });

  it('keeps only the latest errors', () => {
    const store = createPlaygroundStore();
    for (let i = 0; i < MAX_SHOWN_ERRORS + 3; i += 1) {
      store.getState().applyEvent({ type: 'error', message: `error ${i}` });
    }
    const messages = store.getState().errors.map((error) => error.message);
    expect(messages).toHaveLength(MAX_SHOWN_ERRORS);
    expect(messages[messages.length - 1]).toBe(`error ${MAX_SHOWN_ERRORS + 2}`);
  });

  it('marks data failed on error while loading', () => {
    const store = createPlaygroundStore();
    store.getState().dataRequested('Fetching CIFAR-10');
    store.getState().applyEvent({ type: 'error', message: 'manifest.json not found' });

    expect(store.getState().data).toEqual({ phase: 'failed', message: 'manifest.json not found' });
    expect(store.getState().errors).toHaveLength(1);
  });

  it('drops data errors once data loads', () => {
    const store = createPlaygroundStore();
    store.getState().reportError('unrelated page error');
    store.getState().dataRequested('Fetching CIFAR-10');
    store.getState().applyEvent({ type: 'error', message: 'manifest.json not found' });
    store.getState().dataRequested('Reading 6 selected files');
    store.getState().applyEvent({
      type: 'dataLoaded',
      trainImages: 50000,
      testImages: 10000,
      sourceLabel: 'files',
    });

    expect(store.getState().errors.map((error) => error.message)).toEqual(['unrelated page error']);
  });

  it('leaves loaded data alone on error', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({
      type: 'dataLoaded',
      trainImages: 50000,
      testImages: 10000,
      sourceLabel: 'files',
    });
    store.getState().applyEvent({ type: 'error', message: 'NaN loss' });
    expect(store.getState().data.phase).toBe('loaded');
  });

  it('stops a starting run on error', () => {
    const store = createPlaygroundStore();
    store.getState().runRequested(DEFAULT_RUN_CONFIG);
    store.getState().applyEvent({ type: 'error', message: 'out of memory' });
    expect(store.getState().runState).toBe('stopped');
  });

  it('keeps a running run on error', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({ type: 'state', state: 'running' });
    store.getState().reportError('page error');
    expect(store.getState().runState).toBe('running');
  });
});

describe('applyEvents', () => {
  it('applies events in order', () => {
    const store = createPlaygroundStore();
    let notifications = 0;
    store.subscribe(() => {
      notifications += 1;
    });

    store.getState().applyEvents([
      { type: 'state', state: 'running' },
      { type: 'steps', records: [stepRecord(1)] },
      { type: 'steps', records: [stepRecord(2)] },
      { type: 'eval', record: evalRecord(2, 0.25) },
      { type: 'state', state: 'paused' },
    ]);

    const state = store.getState();
    expect(notifications).toBe(1);
    expect(state.runState).toBe('paused');
    expect(state.steps.points.map((record) => record.step)).toEqual([1, 2]);
    expect(state.latestEval?.commSuccess).toBe(0.25);
  });
});

describe('runRequested', () => {
  it('clears the previous run', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({ type: 'steps', records: [stepRecord(1)] });
    store.getState().applyEvent({ type: 'eval', record: evalRecord(1, 0.2) });
    store.getState().applyEvent({ type: 'state', state: 'stopped' });

    const config = { ...DEFAULT_RUN_CONFIG, batchSize: 64 };
    store.getState().runRequested(config);

    const state = store.getState();
    expect(state.runState).toBe('starting');
    expect(state.steps.points).toHaveLength(0);
    expect(state.evals.points).toHaveLength(0);
    expect(state.latestStep).toBeNull();
    expect(state.latestEval).toBeNull();
    expect(state.runConfig?.batchSize).toBe(64);
  });
});

describe('appendToSeries', () => {
  it('keeps every record under the cap', () => {
    const series = appendToSeries(emptySeries<number>(), [0, 1, 2, 3], 8);
    expect(series.points).toEqual([0, 1, 2, 3]);
    expect(series.stride).toBe(1);
  });

  it('thins evenly past the cap', () => {
    let series = emptySeries<number>();
    for (let i = 0; i < 100; i += 1) {
      series = appendToSeries(series, [i], 8);
    }

    expect(series.points.length).toBeLessThanOrEqual(8);
    expect(series.received).toBe(100);
    expect(series.points[0]).toBe(0);
    for (const [index, point] of series.points.entries()) {
      expect(point).toBe(index * series.stride);
    }
  });

  it('gives the same points for one batch or many', () => {
    const records = Array.from({ length: 37 }, (_, i) => i);
    let oneByOne = emptySeries<number>();
    for (const record of records) {
      oneByOne = appendToSeries(oneByOne, [record], 5);
    }
    expect(appendToSeries(emptySeries<number>(), records, 5)).toEqual(oneByOne);
  });
});

describe('editNumericField', () => {
  it('stores a valid value', () => {
    const store = createPlaygroundStore();
    store.getState().editNumericField('learningRate', '5e-4');

    expect(store.getState().config.learningRate).toBe(5e-4);
    expect(store.getState().configText.learningRate).toBe('5e-4');
    expect(store.getState().configErrors.learningRate).toBeUndefined();
  });

  it('keeps invalid text and the last valid value', () => {
    const store = createPlaygroundStore();
    store.getState().editNumericField('batchSize', '12.5');

    expect(store.getState().configText.batchSize).toBe('12.5');
    expect(store.getState().config.batchSize).toBe(DEFAULT_RUN_CONFIG.batchSize);
    expect(store.getState().configErrors.batchSize).toMatch(/whole number/);

    store.getState().editNumericField('batchSize', '64');
    expect(store.getState().configErrors.batchSize).toBeUndefined();
    expect(store.getState().config.batchSize).toBe(64);
  });

  it('resets to defaults', () => {
    const store = createPlaygroundStore();
    store.getState().editNumericField('seed', 'abc');
    store.getState().setChoice('backbone', 'narrow');
    store.getState().resetConfig();

    expect(store.getState().config).toEqual(DEFAULT_RUN_CONFIG);
    expect(store.getState().configErrors).toEqual({});
    expect(store.getState().configText.seed).toBe(String(DEFAULT_RUN_CONFIG.seed));
  });
});

describe('parseNumericField', () => {
  const rejected: [Parameters<typeof parseNumericField>[0], string, RegExp][] = [
    ['learningRate', '', /Missing value/],
    ['learningRate', '0', /out of range/],
    ['learningRate', '-0.1', /out of range/],
    ['learningRate', '0x10', /not a number/],
    ['temperature', 'abc', /not a number/],
    ['batchSize', '1', /out of range/],
    ['batchSize', '100000', /out of range/],
    ['maxLen', '2.5', /not a whole number/],
    ['seed', '-1', /out of range/],
    ['evalGames', '1e9', /out of range/],
  ];
  for (const [field, text, message] of rejected) {
    it(`rejects ${field} "${text}"`, () => {
      const parsed = parseNumericField(field, text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.message).toMatch(message);
      }
    });
  }

  it('accepts defaults and bounds', () => {
    expect(parseNumericField('learningRate', '1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseNumericField('temperature', ' 0.5 ')).toEqual({ ok: true, value: 0.5 });
    expect(parseNumericField('batchSize', '2')).toEqual({ ok: true, value: 2 });
    expect(parseNumericField('seed', '0')).toEqual({ ok: true, value: 0 });
    expect(parseNumericField('evalGames', '10000')).toEqual({ ok: true, value: 10000 });
  });
});

describe('isRunActive', () => {
  it('is true only while a run is in progress', () => {
    expect(isRunActive('idle')).toBe(false);
    expect(isRunActive('starting')).toBe(true);
    expect(isRunActive('running')).toBe(true);
    expect(isRunActive('paused')).toBe(true);
    expect(isRunActive('stopped')).toBe(false);
  });
});

describe('data loads that fail', () => {
  it('keep the images loaded before in use', () => {
    const store = createPlaygroundStore();
    store.getState().applyEvent({ type: 'dataLoaded', trainImages: 10000, testImages: 10000, sourceLabel: 'served' });
    store.getState().dataRequested('Reading 1 selected file');
    store.getState().applyEvent({ type: 'error', message: 'notes.tar.gz is not a valid gzip or tar archive.' });

    const { data, errors } = store.getState();
    expect(data).toEqual({ phase: 'loaded', trainImages: 10000, testImages: 10000, sourceLabel: 'served' });
    expect(errors.at(-1)?.message).toContain('The images loaded before are still in use.');
  });

  it('mark the data as failed when nothing was loaded', () => {
    const store = createPlaygroundStore();
    store.getState().dataRequested('Downloading');
    store.getState().applyEvent({ type: 'error', message: 'manifest.json not found.' });
    expect(store.getState().data.phase).toBe('failed');
  });
});

describe('recovery from faults', () => {
  it('returns the charts to the checkpoint and records the fault', () => {
    const store = createPlaygroundStore();
    store.getState().runRequested(DEFAULT_RUN_CONFIG);
    store.getState().applyEvent({ type: 'steps', records: [1, 2, 3, 4, 5].map((step) => stepRecord(step)) });
    store.getState().applyEvent({ type: 'eval', record: evalRecord(3, 0.2) });
    store.getState().applyEvent({ type: 'eval', record: evalRecord(5, 0.3) });
    store.getState().runRecovered({ step: 6, checkpointStep: 3, cause: 'diverged', message: 'Training diverged at step 6.' });

    const state = store.getState();
    expect(state.stepLog.map((record) => record.step)).toEqual([1, 2, 3]);
    expect(state.steps.points.map((record) => record.step)).toEqual([1, 2, 3]);
    expect(state.latestStep?.step).toBe(3);
    expect(state.evalLog.map((record) => record.step)).toEqual([3]);
    expect(state.latestEval?.step).toBe(3);
    expect(state.faults).toEqual([{ step: 6, checkpointStep: 3, cause: 'diverged', message: 'Training diverged at step 6.' }]);
    expect(state.errors.map((error) => error.message)).toEqual(['Training diverged at step 6.']);
    expect(state.runState).toBe('starting');
  });

  it('clears the fault notices once the learning rate changes', () => {
    const store = createPlaygroundStore();
    store.getState().runRequested(DEFAULT_RUN_CONFIG);
    store.getState().reportNotice('An unrelated notice.');
    store.getState().runRecovered({ step: 2, checkpointStep: 0, cause: 'diverged', message: 'Training diverged at step 2.' });
    store.getState().learningRateChanged(1e-4);

    const state = store.getState();
    expect(state.errors.map((error) => error.message)).toEqual(['An unrelated notice.']);
    expect(state.runConfig?.learningRate).toBe(1e-4);
    expect(state.config.learningRate).toBe(1e-4);
    expect(state.configText.learningRate).toBe('0.0001');
    expect(state.faults).toHaveLength(1);
  });

  it('keeps a notice out of the data load', () => {
    const store = createPlaygroundStore();
    store.getState().dataRequested('Fetching');
    store.getState().reportNotice('Listing the saved runs failed.');
    store.getState().applyEvent({ type: 'dataLoaded', trainImages: 10, testImages: 10, sourceLabel: 'test' });

    const state = store.getState();
    expect(state.data.phase).toBe('loaded');
    expect(state.errors.map((error) => error.message)).toEqual(['Listing the saved runs failed.']);
  });
});
