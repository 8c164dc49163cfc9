import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ReferentialGame } from '../game/game';
import { IMAGE_BYTES } from '../game/images';
import { decodeSnapshot } from '../game/snapshot';
import { EventLog, TINY_CONFIG, TINY_DATA, stepsOf } from '../testing/fixtures';
import type { WorkerEvent } from './protocol';
import { TrainingRun, failureMessage } from './run';

/** A learning rate at which Adam's second step makes the tiny game's weights overflow. */
const DIVERGING_RATE = 1e30;

type Checkpoint = Extract<WorkerEvent, { type: 'checkpoint' }>;
type RunFailed = Extract<WorkerEvent, { type: 'runFailed' }>;

const isCheckpoint = (event: WorkerEvent): event is Checkpoint => event.type === 'checkpoint';
const isRunFailed = (event: WorkerEvent): event is RunFailed => event.type === 'runFailed';

describe('a run started paused', () => {
  it('takes no step until told, then exactly one per stepOnce', async () => {
    const log = new EventLog();
    const run = new TrainingRun({ ...TINY_CONFIG, maxSteps: 0 }, TINY_DATA, log.post, null, null, { startPaused: true });
    const ready = log.next(isCheckpoint);
    const finished = run.run();
    expect((await ready).step).toBe(0);
    expect(stepsOf(log.events)).toEqual([]);

    const stepped = log.next((event) => event.type === 'checkpoint' && event.step === 1);
    run.stepOnce();
    await stepped;
    expect(stepsOf(log.events).map((record) => record.step)).toEqual([1]);
    // The paused step was evaluated, so the inspector and the charts agree on it.
    expect(log.events.filter((event) => event.type === 'eval').map((event) => (event.type === 'eval' ? event.record.step : -1))).toEqual([0, 1]);

    const twice = log.next((event) => event.type === 'checkpoint' && event.step === 3);
    run.stepOnce();
    run.stepOnce();
    await twice;
    expect(stepsOf(log.events).map((record) => record.step)).toEqual([1, 2, 3]);
    expect(log.events.filter((event) => event.type === 'state').map((event) => (event.type === 'state' ? event.state : ''))).toEqual(['paused']);

    run.stop();
    await finished;
  });

  it('ignores stepOnce while running', async () => {
    const log = new EventLog();
    const run = new TrainingRun({ ...TINY_CONFIG, maxSteps: 5 }, TINY_DATA, log.post);
    const finished = run.run();
    run.stepOnce();
    await finished;
    expect(stepsOf(log.events).map((record) => record.step)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('divergence', () => {
  it('ends the run at the diverged step', async () => {
    const log = new EventLog();
    await new TrainingRun({ ...TINY_CONFIG, learningRate: DIVERGING_RATE }, TINY_DATA, log.post).run();

    const failure = log.events.find(isRunFailed);
    expect(failure?.cause).toBe('diverged');
    expect(failure?.step).toBe(2);
    expect(failure?.message).toMatch(/^Training diverged at step 2: /);
    // The diverged step is not recorded, so no NaN reaches the charts.
    expect(stepsOf(log.events).map((record) => record.step)).toEqual([1]);
    expect(stepsOf(log.events).every((record) => Number.isFinite(record.loss))).toBe(true);
    expect(log.events.filter(isCheckpoint).map((event) => event.step)).toEqual([0]);
    expect(log.events[log.events.length - 1]).toEqual({ type: 'state', state: 'stopped' });
  });

  it('continues from the checkpoint with a lower learning rate', async () => {
    const config = { ...TINY_CONFIG, learningRate: DIVERGING_RATE, maxSteps: 0 };
    const first = new EventLog();
    await new TrainingRun(config, TINY_DATA, first.post).run();
    const checkpoint = first.events.find(isCheckpoint);
    if (checkpoint === undefined) throw new Error('the run sent no checkpoint');

    const log = new EventLog();
    const run = new TrainingRun(config, TINY_DATA, log.post, null, decodeSnapshot(checkpoint.bytes), { startPaused: true });
    const ready = log.next(isCheckpoint);
    const finished = run.run();
    await ready;
    const sixSteps = log.next((event) => event.type === 'steps' && event.records.some((record) => record.step >= 6));
    run.resume(1e-3);
    await sixSteps;
    run.pause();
    const parked = log.next((event) => event.type === 'checkpoint' && event.step >= 6);
    const saved = decodeSnapshot(await run.snapshot({ stepLog: [], evalLog: [] }));
    await parked;
    run.stop();
    await finished;

    expect(log.events.filter(isRunFailed)).toEqual([]);
    expect(stepsOf(log.events).every((record) => Number.isFinite(record.loss))).toBe(true);
    expect(saved.config.learningRate).toBe(1e-3);
  });

  it('catches weights that are NaN while the loss is finite', () => {
    const game = new ReferentialGame(TINY_CONFIG);
    const clean = game.nonFiniteParameterCheck();
    expect(clean.dataSync()[0]).toBe(0);

    const [name, weight] = [...game.params.variables].find(([, variable]) => variable.trainable) ?? [];
    if (weight === undefined) throw new Error(`the game has no trainable variable (found ${String(name)})`);
    const values = weight.dataSync().slice();
    values[values.length - 1] = Number.POSITIVE_INFINITY;
    weight.assign(tf.tensor(values, weight.shape));
    const broken = game.nonFiniteParameterCheck();
    expect(broken.dataSync()[0]).toBeNaN();
    tf.dispose([clean, broken]);
    game.dispose();
  });
});

describe('failing steps', () => {
  it('end the run with runFailed and the error', async () => {
    // The training set claims more images than its pixels hold, so building the first batch throws.
    const broken = { ...TINY_DATA, train: { ...TINY_DATA.train, pixels: TINY_DATA.train.pixels.subarray(0, 8 * IMAGE_BYTES) } };
    const log = new EventLog();
    await new TrainingRun(TINY_CONFIG, broken, log.post).run();

    const failure = log.events.find(isRunFailed);
    expect(failure?.cause).toBe('failed');
    expect(failure?.step).toBe(1);
    expect(failure?.message).toMatch(/^Training failed at step 1: ./);
    expect(stepsOf(log.events)).toEqual([]);
    expect(log.events[log.events.length - 1]).toEqual({ type: 'state', state: 'stopped' });
  });
});

describe('failureMessage', () => {
  it('adds what to change when an allocation failed', () => {
    expect(failureMessage('Starting the run failed', new Error('memory access out of bounds'))).toBe(
      'Starting the run failed: memory access out of bounds. The model probably does not fit in the memory of the backend: lower the hidden size, embedding size, vocabulary size, message length or batch size.',
    );
  });

  it('keeps other reasons as they are, with one full stop', () => {
    expect(failureMessage('Training failed at step 3', new Error('shapes do not match.'))).toBe('Training failed at step 3: shapes do not match.');
    expect(failureMessage('Training failed at step 3', 'plain text')).toBe('Training failed at step 3: plain text.');
  });
});

describe('endurance', () => {
  it('keeps the tensor count and bytes flat over 1,000 steps', async () => {
    const log = new EventLog();
    const before = tf.memory().numTensors;
    await new TrainingRun({ ...TINY_CONFIG, maxSteps: 1000, evalInterval: 100 }, TINY_DATA, log.post).run();
    const records = stepsOf(log.events);
    expect(records).toHaveLength(1000);

    // The feature cache fills during the first epoch (3 steps); from then on nothing may grow.
    const settled = records.filter((record) => record.step >= 10);
    const counts = new Set(settled.map((record) => record.tensorCount));
    const bytes = new Set(settled.map((record) => record.tensorBytes));
    expect([...counts]).toHaveLength(1);
    expect([...bytes]).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
