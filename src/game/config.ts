/**
 * Settings of one referential game and its training run.
 *
 * The defaults reproduce Havrylov & Titov (2017) as used by Mihai & Hare (2019): vocabulary 100
 * (end-of-sequence included), messages of at most 5 tokens, LSTM hidden size 512, embeddings 256,
 * batches of 128 images so that every game has 1 target and 127 distractors.
 */

/** How the shared VGG-style feature extractor is obtained. */
export type ExtractorMode = 'random-frozen';

/** Convolutional backbone of the feature extractor. */
export type Backbone = 'vgg16' | 'narrow';

/** Backend the worker should try first; `auto` tries WebGPU, then wasm, then plain JavaScript. */
export type BackendPreference = 'auto' | 'webgpu' | 'wasm' | 'cpu';

/** Backend the worker actually runs on. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export interface GameConfig {
  extractor: ExtractorMode;
  backbone: Backbone;
  /** Number of distinct tokens, the end-of-sequence token (id 0) included. */
  vocabSize: number;
  /** Maximum number of tokens in a message. */
  maxLen: number;
  hiddenSize: number;
  embeddingSize: number;
  /** Images per batch; each is the target of one game whose distractors are the other images. */
  batchSize: number;
  learningRate: number;
  /** Gumbel-softmax temperature tau. */
  temperature: number;
  /** Seed of the generator behind initialisation, batch order and Gumbel noise. */
  seed: number;
}

export interface RunConfig extends GameConfig {
  /** Training steps between two evaluations on held-out test games. */
  evalInterval: number;
  /** Number of held-out test images; each is the target of one evaluation game. */
  evalGames: number;
  backend: BackendPreference;
}

export const DEFAULT_RUN_CONFIG: RunConfig = {
  extractor: 'random-frozen',
  backbone: 'vgg16',
  vocabSize: 100,
  maxLen: 5,
  hiddenSize: 512,
  embeddingSize: 256,
  batchSize: 128,
  learningRate: 1e-3,
  temperature: 1.0,
  seed: 1,
  evalInterval: 50,
  evalGames: 1024,
  backend: 'auto',
};

/** Token id that ends a message. */
export const EOS_TOKEN = 0;

/** Margin of the receiver's hinge loss. */
export const HINGE_MARGIN = 1;

export const EXTRACTOR_LABELS: Record<ExtractorMode, string> = {
  'random-frozen': 'Random and frozen',
};

export const BACKBONE_LABELS: Record<Backbone, string> = {
  vgg16: 'VGG16 to relu7 (the paper\u2019s)',
  narrow: 'Narrow VGG, 1/8 of the channels (fast on CPU, not the paper\u2019s)',
};
