/**
 * The worker's side of the message inspector and the vocabulary explorer: it replays games with
 * the current parameters, ranks every game's candidates, gathers thumbnails and measures the
 * language on the held-out games.
 *
 * It needs only a game and the images (an `InspectionSource`), so it serves a running run, a
 * paused one, and a game loaded from elsewhere alike. Requests run one at a time, between
 * training steps, and never after the source's model has been released.
 */
import * as tf from '@tensorflow/tfjs';
import { CLASS_NAMES, IMAGE_BYTES, type ImageSet } from '../data/cifar10';
import type { EvalSet, ReferentialGame } from '../game/game';
import { sampleImages, summariseLanguage } from '../game/language';
import { rankCandidates, scoreGames } from '../game/metrics';
import { type ReplayedGames, cosineDistanceMatrix, featuresOfImages, replayGames, sendGreedyMessages } from '../game/replay';
import type { GameInspection, ImageSplit, InspectedGame, InspectedSet, LanguageReport, WorkerEvent, WorkerRequest } from './protocol';

/** Minimum time between two language reports that a run sends by itself, in milliseconds. */
export const LANGUAGE_REPORT_INTERVAL_MS = 4000;

/**
 * A report that took d milliseconds waits at least this many times d before the next one, so
 * reports take at most about 1/10 of a run's time on slow models.
 */
const LANGUAGE_REPORT_COST_FACTOR = 10;

/** Held-out images sampled for topographic similarity; their pairs are all used. */
export const TOPOGRAPHIC_SAMPLE_IMAGES = 256;

/** Seed of that sample, fixed so that every report of a run uses the same pairs. */
const TOPOGRAPHIC_SAMPLE_SEED = 20_171_204;

/** Error message of requests that arrive after the model was released. */
const RELEASED_MESSAGE = 'The run has stopped and released its model, so there is nothing to inspect. Press Train to start a new run.';

/** When a run sends a language report by itself: after an evaluation, or on pause. */
export type LanguageReportTrigger = 'when-due' | 'when-stale';

/** Images by split. */
export interface InspectedImages {
  train: ImageSet;
  test: ImageSet;
}

/** Inputs of the inspector: a game, its images, and which images form the current games. */
export interface InspectionSource {
  game: ReferentialGame;
  images: InspectedImages;
  /** Training steps the game's parameters have taken. */
  step(): number;
  /** Test-split indices of the held-out games' targets, a multiple of batchSize; null before they are drawn. */
  heldOutImages(): Int32Array | null;
  /**
   * Features of the held-out games as evaluation uses them: the sender's view and the clean
   * candidates. The inspector reads them and never disposes them. With null, the inspector
   * extracts clean features itself.
   */
  heldOutFeatures(): EvalSet | null;
  /** Train-split indices of the latest training batch; null before the first step. */
  trainBatch(): Int32Array | null;
}

/** Replayed games of one set at one step, kept until the step or the images change. */
interface CachedReplay {
  step: number;
  images: Int32Array;
  games: InspectedGame[];
  scores: Float32Array[];
}

/** Split that a set's images come from. */
export function splitOf(set: InspectedSet): ImageSplit {
  switch (set) {
    case 'trainBatch':
      return 'train';
    case 'heldOut':
      return 'test';
  }
}

/** Copies the pixels of images into one buffer: [indices.length, 32, 32, 3] interleaved bytes. */
export function gatherPixels(images: ImageSet, indices: ArrayLike<number>): Uint8Array {
  const pixels = new Uint8Array(indices.length * IMAGE_BYTES);
  for (let i = 0; i < indices.length; i++) {
    const image = indices[i] as number;
    if (!Number.isInteger(image) || image < 0 || image >= images.count) {
      throw new Error(`image index ${image} is outside the ${images.count} loaded images`);
    }
    pixels.set(images.pixels.subarray(image * IMAGE_BYTES, (image + 1) * IMAGE_BYTES), i * IMAGE_BYTES);
  }
  return pixels;
}

/** Serves inspection and language requests for one source, one request at a time. */
export class GameInspector {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly replays = new Map<InspectedSet, CachedReplay>();
  private lastReport: LanguageReport | null = null;
  private nextReportDueMs = 0;

  constructor(private readonly source: InspectionSource) {}

  /** Replays the games of `set` (or reuses them at the same step) and ranks game `game`'s candidates. */
  inspect(set: InspectedSet, game: number): Promise<GameInspection> {
    return this.enqueue(() => this.inspectNow(set, game));
  }

  /** Measures the language on the held-out games at the current step. */
  analyseLanguage(): Promise<LanguageReport> {
    return this.enqueue(() => this.analyseNow());
  }

  /**
   * Measures the language unless the last report is recent. Reports made by this method are at
   * least `LANGUAGE_REPORT_INTERVAL_MS` apart, and further when they are slow. Returns null when skipped.
   */
  async analyseLanguageIfDue(): Promise<LanguageReport | null> {
    if (performance.now() < this.nextReportDueMs) return null;
    return this.analyseLanguage();
  }

  /** Measures the language unless the last report is of the current step. Returns null when skipped. */
  async analyseLanguageIfStale(): Promise<LanguageReport | null> {
    if (this.lastReport?.step === this.source.step()) return null;
    return this.analyseLanguage();
  }

  /**
   * Sends a language report that the run did not request: `when-due` after an evaluation, subject
   * to the rate limit, and `when-stale` on pause, unless the last report is of the current step.
   * A failed report is sent as an error and does not stop the run.
   */
  async reportLanguage(when: LanguageReportTrigger, post: (event: WorkerEvent) => void): Promise<void> {
    try {
      const report = await this.analyseLanguageWhen(when);
      if (report !== null) post({ type: 'language', requestId: null, report });
    } catch (error) {
      if (this.closed) return;
      post({ type: 'error', message: `Measuring the language of the held-out games failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private analyseLanguageWhen(when: LanguageReportTrigger): Promise<LanguageReport | null> {
    switch (when) {
      case 'when-due':
        return this.analyseLanguageIfDue();
      case 'when-stale':
        return this.analyseLanguageIfStale();
    }
  }

  /** Rejects further requests and resolves once the request in progress, if any, has finished. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.closed) throw new Error(RELEASED_MESSAGE);
      return task();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async inspectNow(set: InspectedSet, game: number): Promise<GameInspection> {
    const started = performance.now();
    const replay = await this.replayOf(set);
    if (!Number.isInteger(game) || game < 0 || game >= replay.games.length) {
      throw new Error(`game ${game} is not in the ${replay.games.length} games of the ${describeSet(set)}`);
    }
    const blockSize = this.source.game.config.batchSize;
    const block = Math.floor(game / blockSize);
    const local = game % blockSize;
    const scores = (replay.scores[block] as Float32Array).subarray(local * blockSize, (local + 1) * blockSize);

    const ranking = rankCandidates(scores, local).map((candidate) => {
      const candidateGame = block * blockSize + candidate;
      const entry = replay.games[candidateGame] as InspectedGame;
      return { game: candidateGame, image: entry.image, label: entry.label, score: scores[candidate] as number };
    });
    const split = splitOf(set);
    const pixels = gatherPixels(this.source.images[split], ranking.map((candidate) => candidate.image));
    return { step: replay.step, set, split, game, games: replay.games, ranking, pixels, elapsedMs: performance.now() - started };
  }

  private async replayOf(set: InspectedSet): Promise<CachedReplay> {
    const step = this.source.step();
    const images = this.imagesOf(set);
    const cached = this.replays.get(set);
    if (cached !== undefined && cached.step === step && cached.images === images) return cached;

    const { game } = this.source;
    const replayed = await this.withFeatures(set, images, (sender, receiver) => replayGames(game, sender, receiver, game.config.batchSize));
    const replay = this.describeReplay(step, set, images, replayed);
    this.replays.set(set, replay);
    return replay;
  }

  private describeReplay(step: number, set: InspectedSet, images: Int32Array, replayed: ReplayedGames): CachedReplay {
    const blockSize = this.source.game.config.batchSize;
    const labels = Array.from(images, (image) => this.source.images[splitOf(set)].labels[image] as number);
    const outcomes = replayed.scores.flatMap((scores, block) => scoreGames(scores, labels.slice(block * blockSize, (block + 1) * blockSize)));
    const games = outcomes.map((outcome, game) => ({
      image: images[game] as number,
      label: labels[game] as number,
      tokens: replayed.tokens[game] as number[],
      targetRank: outcome.targetRank,
    }));
    return { step, images, games, scores: replayed.scores };
  }

  private imagesOf(set: InspectedSet): Int32Array {
    switch (set) {
      case 'trainBatch': {
        const batch = this.source.trainBatch();
        if (batch === null) throw new Error('There is no training batch yet: wait for the first training step.');
        return batch;
      }
      case 'heldOut': {
        const heldOut = this.source.heldOutImages();
        if (heldOut === null) throw new Error('The held-out games are not drawn yet: wait for the first evaluation.');
        return heldOut;
      }
    }
  }

  /**
   * Runs `use` on the features of a set's images, the sender's view and the candidates: the
   * source's held-out features when it has them, else clean features extracted here.
   */
  private async withFeatures<T>(
    set: InspectedSet,
    images: Int32Array,
    use: (sender: tf.Tensor2D, receiver: tf.Tensor2D) => Promise<T>,
  ): Promise<T> {
    const given = set === 'heldOut' ? this.source.heldOutFeatures() : null;
    const { game } = this.source;
    // Clones share the source's memory and survive the source replacing its features meanwhile.
    const sender = given === null ? featuresOfImages(game, this.source.images[splitOf(set)].pixels, images, game.config.batchSize) : given.senderFeatures.clone();
    const receiver = given === null || given.receiverFeatures === given.senderFeatures ? sender : given.receiverFeatures.clone();
    try {
      return await use(sender, receiver);
    } finally {
      tf.dispose([...new Set([sender, receiver])]);
    }
  }

  private async analyseNow(): Promise<LanguageReport> {
    const started = performance.now();
    const step = this.source.step();
    if (this.lastReport?.step === step) return this.lastReport;
    const images = this.imagesOf('heldOut');
    const { config } = this.source.game;
    const labels = Array.from(images, (image) => this.source.images.test.labels[image] as number);
    const sample = sampleImages(images.length, TOPOGRAPHIC_SAMPLE_IMAGES, TOPOGRAPHIC_SAMPLE_SEED);

    // The inspector's replay of the same step already contains the messages.
    const cached = this.replays.get('heldOut');
    const replayed = cached !== undefined && cached.step === step && cached.images === images ? cached.games.map((entry) => entry.tokens) : null;
    // Distances are between the sender's inputs, because its messages are functions of them.
    const { messages, distances } = await this.withFeatures('heldOut', images, async (sender) => ({
      messages: replayed ?? (await sendGreedyMessages(this.source.game, sender, config.batchSize)),
      distances: await cosineDistanceMatrix(sender, sample),
    }));

    const summary = summariseLanguage({
      messages,
      labels,
      classes: CLASS_NAMES.length,
      maxLen: config.maxLen,
      vocabSize: config.vocabSize,
      sample: { images: sample, featureDistances: distances },
    });
    const report: LanguageReport = { ...summary, step, images: Array.from(images), labels, maxLen: config.maxLen, vocabSize: config.vocabSize };
    this.lastReport = report;
    const elapsedMs = performance.now() - started;
    this.nextReportDueMs = performance.now() + Math.max(LANGUAGE_REPORT_INTERVAL_MS, LANGUAGE_REPORT_COST_FACTOR * elapsedMs);
    return report;
  }
}

function describeSet(set: InspectedSet): string {
  switch (set) {
    case 'trainBatch':
      return 'latest training batch';
    case 'heldOut':
      return 'held-out test games';
  }
}

/** Requests that `answerInspectionRequest` handles. */
export type InspectionRequest = Extract<WorkerRequest, { type: 'inspect' | 'language' | 'images' }>;

/** Sends an event to the page, handing over the listed buffers instead of copying them. */
export type PostWithTransfer = (event: WorkerEvent, transfer: Transferable[]) => void;

/**
 * Handles one inspection request and posts the result. `inspector` is the current run's, or null
 * without a run, and `images` is the loaded data, or null before it is loaded. A failure is posted
 * as an `inspectionFailed` event that carries the request's id.
 */
export async function answerInspectionRequest(
  request: InspectionRequest,
  inspector: GameInspector | null,
  images: InspectedImages | null,
  post: PostWithTransfer,
): Promise<void> {
  const { requestId } = request;
  try {
    switch (request.type) {
      case 'inspect': {
        const inspection = await requireInspector(inspector).inspect(request.set, request.game);
        post({ type: 'inspection', requestId, inspection }, [inspection.pixels.buffer]);
        return;
      }
      case 'language': {
        const report = await requireInspector(inspector).analyseLanguage();
        post({ type: 'language', requestId, report }, []);
        return;
      }
      case 'images': {
        if (images === null) throw new Error('No CIFAR-10 data is loaded yet, so there are no images to show.');
        const pixels = gatherPixels(images[request.split], request.indices);
        post({ type: 'images', requestId, split: request.split, indices: request.indices, pixels }, [pixels.buffer]);
        return;
      }
    }
  } catch (error) {
    post({ type: 'inspectionFailed', requestId, message: error instanceof Error ? error.message : String(error) }, []);
  }
}

function requireInspector(inspector: GameInspector | null): GameInspector {
  if (inspector === null) throw new Error('There is no run to inspect yet. Press Train, then inspect the run while it trains or is paused.');
  return inspector;
}
