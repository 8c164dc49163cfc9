import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../game/config';
import { SnapshotError, decodeSnapshot, encodeSnapshot } from '../game/snapshot';
import { TINY_CONFIG, TINY_DATA, evalsOf, stepsOf } from '../testing/fixtures';
import type { WorkerEvent } from './protocol';
import { TrainingRun } from './run';

const TINY = TINY_CONFIG;
const DATA = TINY_DATA;

/** The step at which the first run is paused and saved. */
const SAVED_STEP = 4;

/** Trains to `SAVED_STEP`, saves, then trains on to the end; returns the file and the events. */
async function saveMidway(config: RunConfig): Promise<{ bytes: ArrayBuffer; events: WorkerEvent[] }> {
  const events: WorkerEvent[] = [];
  let reachedSave: () => void = () => undefined;
  const saveReached = new Promise<void>((resolve) => (reachedSave = resolve));
  const run: TrainingRun = new TrainingRun(config, DATA, (event) => {
    events.push(event);
    if (event.type === 'eval' && event.record.step === SAVED_STEP) {
      run.pause();
      reachedSave();
    }
  });
  const finished = run.run();
  await saveReached;
  const bytes = await run.snapshot({ stepLog: stepsOf(events), evalLog: evalsOf(events) });
  run.resume();
  await finished;
  return { bytes, events };
}

describe('save, load and resume', () => {
  it.each<[string, Partial<RunConfig>]>([
    ['learned extractor, noisy sender images, annealed temperature', { extractor: 'learned', augmentation: 'noise', temperatureMode: 'annealed', annealRate: 0.1 }],
    ['frozen extractor, REINFORCE', { channel: 'reinforce' }],
  ])('continues exactly where it stopped: %s', async (_, overrides) => {
    const config = { ...TINY, ...overrides };
    const { bytes, events } = await saveMidway(config);
    const snapshot = decodeSnapshot(bytes);
    expect(snapshot.progress.step).toBe(SAVED_STEP);
    expect(snapshot.history.stepLog).toHaveLength(SAVED_STEP);
    expect(snapshot.config).toEqual(config);

    const resumedEvents: WorkerEvent[] = [];
    await new TrainingRun(config, DATA, (event) => resumedEvents.push(event), null, snapshot).run();

    const expected = stepsOf(events).filter((record) => record.step > SAVED_STEP);
    const resumed = stepsOf(resumedEvents);
    expect(resumed.map((record) => record.step)).toEqual([5, 6, 7, 8, 9]);
    expect(resumed.map((record) => record.loss)).toEqual(expected.map((record) => record.loss));
    expect(resumed.map((record) => record.trainSuccess)).toEqual(expected.map((record) => record.trainSuccess));
    expect(evalsOf(resumedEvents)).toEqual(evalsOf(events).filter((record) => record.step > SAVED_STEP));
    expect(resumedEvents.filter((event) => event.type === 'error')).toEqual([]);
  });

  it('survives an encode and decode of the decoded file unchanged', async () => {
    const { bytes } = await saveMidway(TINY);
    const again = encodeSnapshot(decodeSnapshot(bytes));
    expect(new Uint8Array(again)).toEqual(new Uint8Array(bytes));
  });

  it('rejects a file whose parameter has another shape before the game changes', async () => {
    const { bytes } = await saveMidway(TINY);
    const snapshot = decodeSnapshot(bytes);
    const wider = { ...TINY, hiddenSize: 20 };
    const events: WorkerEvent[] = [];
    await expect(new TrainingRun(wider, DATA, (event) => events.push(event), null, snapshot).run()).rejects.toThrow(SnapshotError);
    expect(stepsOf(events)).toEqual([]);
  });

  it('rejects settings other than the saved ones', async () => {
    const { bytes } = await saveMidway(TINY);
    const run = new TrainingRun({ ...TINY, seed: 7, learningRate: 0.01 }, DATA, () => undefined, null, decodeSnapshot(bytes));
    await expect(run.run()).rejects.toThrow('The saved run was trained with other settings (seed).');
  });

  it('keeps the tensor count flat across saves', async () => {
    let pausedAt: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (pausedAt = resolve));
    const run: TrainingRun = new TrainingRun({ ...TINY, channel: 'reinforce' }, DATA, (event) => {
      if (event.type === 'eval' && event.record.step === SAVED_STEP) {
        run.pause();
        pausedAt();
      }
    });
    const finished = run.run();
    await paused;
    await run.snapshot({ stepLog: [], evalLog: [] });
    const before = tf.memory().numTensors;
    await run.snapshot({ stepLog: [], evalLog: [] });
    expect(tf.memory().numTensors).toBe(before);
    run.stop();
    await finished;
  });

  it('saves only a paused run', async () => {
    const run = new TrainingRun(TINY, DATA, () => undefined);
    await expect(run.snapshot({ stepLog: [], evalLog: [] })).rejects.toThrow(/Only a paused run can be saved/);
  });
});
