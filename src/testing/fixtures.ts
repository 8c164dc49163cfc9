/**
 * Small games and random images shared by the tests of runs: fast enough for hundreds of steps
 * on the wasm backend in Node.
 */
import type { ImageSet } from '../data/cifar10';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../game/config';
import { IMAGE_BYTES } from '../game/images';
import { Rng } from '../game/random';
import type { EvalRecord, StepRecord, WorkerEvent } from '../worker/protocol';

/** A toy game on the narrow backbone; with `TINY_DATA`, an epoch is 3 batches. */
export const TINY_CONFIG: RunConfig = {
  ...DEFAULT_RUN_CONFIG,
  backbone: 'narrow',
  vocabSize: 10,
  maxLen: 2,
  hiddenSize: 16,
  embeddingSize: 8,
  batchSize: 8,
  evalGames: 8,
  evalInterval: 4,
  maxSteps: 9,
  seed: 6,
};

/** `count` images of uniform random pixels, labelled 0 to 9 in turn. */
export function randomImages(count: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  return {
    count,
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    pixels: Uint8Array.from({ length: count * IMAGE_BYTES }, () => rng.int(256)),
  };
}

/** 24 training and 16 test images. */
export const TINY_DATA = { train: randomImages(24, 1), test: randomImages(16, 2) };

export function stepsOf(events: readonly WorkerEvent[]): StepRecord[] {
  return events.flatMap((event) => (event.type === 'steps' ? event.records : []));
}

export function evalsOf(events: readonly WorkerEvent[]): EvalRecord[] {
  return events.flatMap((event) => (event.type === 'eval' ? [event.record] : []));
}

/** Collects a run's events and lets a test wait for one that matches. */
export class EventLog {
  readonly events: WorkerEvent[] = [];
  private waiters: { matches: (event: WorkerEvent) => boolean; resolve: (event: WorkerEvent) => void }[] = [];

  /** The `post` function to hand to a run. */
  readonly post = (event: WorkerEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.matches(event)) return true;
      waiter.resolve(event);
      return false;
    });
  };

  /** Resolves with the first event from now on that matches. */
  next<T extends WorkerEvent>(matches: (event: WorkerEvent) => event is T): Promise<T>;
  next(matches: (event: WorkerEvent) => boolean): Promise<WorkerEvent>;
  next(matches: (event: WorkerEvent) => boolean): Promise<WorkerEvent> {
    return new Promise((resolve) => this.waiters.push({ matches, resolve }));
  }
}
