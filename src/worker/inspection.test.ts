import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { IMAGE_BYTES } from '../data/cifar10';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../game/config';
import { TINY_CONFIG, randomImages } from '../testing/fixtures';
import { answerInspectionRequest, gatherPixels } from './inspection';
import type { EvalRecord, LanguageReport, WorkerEvent } from './protocol';
import { TrainingRun } from './run';

const CONFIG: RunConfig = { ...TINY_CONFIG, vocabSize: 6, maxLen: 3, evalInterval: 2, evalGames: 16, maxSteps: DEFAULT_RUN_CONFIG.maxSteps, seed: 4, backend: 'wasm' };

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function latest<T extends WorkerEvent['type']>(events: WorkerEvent[], type: T): Extract<WorkerEvent, { type: T }> | undefined {
  return events.filter((event): event is Extract<WorkerEvent, { type: T }> => event.type === type).at(-1);
}

/** Starts a run, trains a few steps and pauses it; resolves once the pause has caught up. */
async function pausedRun() {
  const data = { train: randomImages(32, 1), test: randomImages(24, 2) };
  const events: WorkerEvent[] = [];
  const run = new TrainingRun(CONFIG, data, (event) => events.push(event));
  const finished = run.run();
  await waitFor(() => (latest(events, 'steps')?.records.at(-1)?.step ?? 0) >= 3, 'three steps');
  run.pause();
  await waitFor(() => latest(events, 'state')?.state === 'paused', 'the pause');
  const pausedStep = () => latest(events, 'steps')?.records.at(-1)?.step ?? -1;
  await waitFor(() => latest(events, 'language')?.report.step === pausedStep(), 'the language report of the paused step');
  return { data, events, run, finished };
}

describe('GameInspector on a paused run', () => {
  it('replays held-out games as evaluation ranked them', async () => {
    const { data, events, run, finished } = await pausedRun();
    const evaluation = latest(events, 'eval')?.record as EvalRecord;
    const report = latest(events, 'language')?.report as LanguageReport;
    expect(evaluation.step).toBe(report.step);
    const before = tf.memory().numTensors;

    const inspection = await run.inspector.inspect('heldOut', 5);
    expect(inspection.step).toBe(evaluation.step);
    expect(inspection.games).toHaveLength(16);
    const firsts = inspection.games.filter((game) => game.targetRank === 1).length;
    expect(firsts / inspection.games.length).toBe(evaluation.commSuccess);

    const target = inspection.games[5];
    expect(inspection.ranking).toHaveLength(CONFIG.batchSize);
    expect(inspection.ranking[(target?.targetRank ?? 0) - 1]?.game).toBe(5);
    expect(inspection.ranking.every((candidate) => candidate.game >= 0 && candidate.game < 8)).toBe(true);
    const scores = inspection.ranking.map((candidate) => candidate.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(inspection.pixels).toEqual(gatherPixels(data.test, inspection.ranking.map((candidate) => candidate.image)));

    for (const [i, game] of inspection.games.entries()) {
      expect(report.images[i]).toBe(game.image);
      expect(report.messages[report.imageMessages[i] ?? -1]?.tokens).toEqual(game.tokens);
    }
    expect(tf.memory().numTensors).toBe(before);
    run.stop();
    await finished;
  });

  it('replays the latest training batch and refuses after the run stops', async () => {
    const { run, finished } = await pausedRun();
    const before = tf.memory().numTensors;
    const inspection = await run.inspector.inspect('trainBatch', 3);
    expect(inspection.split).toBe('train');
    expect(inspection.games).toHaveLength(CONFIG.batchSize);
    expect(inspection.ranking).toHaveLength(CONFIG.batchSize);
    await expect(run.inspector.inspect('trainBatch', 8)).rejects.toThrow(/game 8 is not in the 8 games/);
    expect(tf.memory().numTensors).toBe(before);

    run.stop();
    await finished;
    await expect(run.inspector.inspect('heldOut', 0)).rejects.toThrow(/released its model/);
  });
});

describe('GameInspector on a running run', () => {
  /** Trains `steps` steps, calling `during` after every step record; returns the losses and how many calls succeeded. */
  async function losses(steps: number, during: (run: TrainingRun) => Promise<unknown>): Promise<{ recorded: number[]; succeeded: number }> {
    const data = { train: randomImages(32, 1), test: randomImages(24, 2) };
    const recorded: number[] = [];
    const inFlight: Promise<unknown>[] = [];
    const run = new TrainingRun({ ...CONFIG, maxSteps: steps }, data, (event) => {
      if (event.type !== 'steps') return;
      recorded.push(...event.records.map((record) => record.loss));
      inFlight.push(during(run));
    });
    await run.run();
    const settled = await Promise.allSettled(inFlight);
    return { recorded, succeeded: settled.filter((result) => result.status === 'fulfilled').length };
  }

  it('leaves training unchanged', async () => {
    const plain = await losses(8, async () => undefined);
    const inspected = await losses(8, (run) =>
      Promise.all([run.inspector.inspect('heldOut', 1), run.inspector.inspect('trainBatch', 2), run.inspector.analyseLanguage()]),
    );
    expect(plain.recorded).toHaveLength(8);
    expect(inspected.succeeded).toBeGreaterThan(0);
    expect(inspected.recorded).toEqual(plain.recorded);
  });
});

describe('answerInspectionRequest', () => {
  it('sends pixels and transfers their buffer', async () => {
    const test = randomImages(4, 3);
    const sent: { event: WorkerEvent; transfer: Transferable[] }[] = [];
    await answerInspectionRequest({ type: 'images', requestId: 7, split: 'test', indices: [2, 0] }, null, { train: test, test }, (event, transfer) => sent.push({ event, transfer }));
    const answer = sent[0];
    expect(answer?.event.type).toBe('images');
    if (answer?.event.type !== 'images') return;
    expect(answer.event.requestId).toBe(7);
    expect(Array.from(answer.event.pixels.subarray(0, IMAGE_BYTES))).toEqual(Array.from(test.pixels.subarray(2 * IMAGE_BYTES, 3 * IMAGE_BYTES)));
    expect(answer.transfer).toEqual([answer.event.pixels.buffer]);
  });

  it('answers a failure with the request id', async () => {
    const sent: WorkerEvent[] = [];
    await answerInspectionRequest({ type: 'inspect', requestId: 3, set: 'heldOut', game: 0 }, null, null, (event) => sent.push(event));
    expect(sent).toEqual([{ type: 'inspectionFailed', requestId: 3, message: expect.stringMatching(/no run to inspect/) }]);
    const test = randomImages(2, 4);
    await answerInspectionRequest({ type: 'images', requestId: 4, split: 'test', indices: [5] }, null, { train: test, test }, (event) => sent.push(event));
    expect(sent[1]).toEqual({ type: 'inspectionFailed', requestId: 4, message: 'image index 5 is outside the 2 loaded images' });
  });
});
