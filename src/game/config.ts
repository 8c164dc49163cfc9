/**
 * Settings of one referential game and its training run.
 *
 * The defaults reproduce Havrylov & Titov (2017) as used by Mihai & Hare (2019): vocabulary 100
 * (end-of-sequence included), messages of at most 5 tokens, LSTM hidden size 512, embeddings 256,
 * batches of 128 images so that every game has 1 target and 127 distractors.
 */

/**
 * Origin of the weights of the feature extractor shared by both agents: ImageNet weights kept
 * fixed, random weights kept frozen, or random weights trained end to end with the agents.
 */
export type ExtractorMode = 'pretrained-fixed' | 'random-frozen' | 'learned';

/** Convolutional backbone of the feature extractor. */
export type Backbone = 'vgg16' | 'narrow' | 'mobilenetv2';

/** Change made to the sender's image before it is encoded. The receiver always gets clean images. */
export type Augmentation = 'none' | 'noise' | 'rotation';

/** Agent that also predicts the rotation of the sender's image (4 classes), if any. */
export type RotationTask = 'none' | 'sender-predicts' | 'receiver-predicts';

/**
 * Estimator by which tokens pass from sender to receiver while training: the straight-through Gumbel-softmax
 * (one-hot forward, relaxed gradient backward), the relaxed Gumbel-softmax (soft tokens both
 * ways), or REINFORCE (one-hot tokens, score-function gradient for the sender).
 */
export type Channel = 'gumbel-straight-through' | 'gumbel-relaxed' | 'reinforce';

/** Schedule of the Gumbel-softmax temperature: fixed, annealed per step, or learned from the sender's state. */
export type TemperatureMode = 'fixed' | 'annealed' | 'learned';

/** Storage of the frozen extractor's cached features, or `off` to recompute them at every step. */
export type FeatureCacheMode = 'float16' | 'float32' | 'off';

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
  /** Gumbel-softmax temperature tau: the fixed value, or the start of an annealed or learned one. */
  temperature: number;
  temperatureMode: TemperatureMode;
  /** Lowest temperature of the annealed schedule, and tau0 of the learned one (tau = tau0 + softplus(w . h + b)). */
  minTemperature: number;
  /** Decay per step of the annealed temperature: tau = max(minTemperature, temperature * exp(-annealRate * step)). */
  annealRate: number;
  channel: Channel;
  /** Weight of the entropy bonus of the sender's token distributions under REINFORCE. */
  entropyWeight: number;
  augmentation: Augmentation;
  /** Standard deviation of the Gaussian noise added to the sender's pixels, on the 0-1 pixel scale. */
  noiseStd: number;
  rotationTask: RotationTask;
  /** Seed of the generator behind initialisation, batch order, Gumbel noise and augmentation. */
  seed: number;
}

export interface RunConfig extends GameConfig {
  /** Training steps between two evaluations on held-out test games. */
  evalInterval: number;
  /** Number of held-out test images; each is the target of one evaluation game. */
  evalGames: number;
  backend: BackendPreference;
  /** Training steps after which the run stops by itself, with a last evaluation; 0 trains until stopped. */
  maxSteps: number;
  featureCache: FeatureCacheMode;
  /** Memory budget of the feature cache in megabytes (10^6 bytes); images beyond it are recomputed. */
  featureCacheMB: number;
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
  temperatureMode: 'fixed',
  minTemperature: 0.5,
  annealRate: 1e-4,
  channel: 'gumbel-straight-through',
  entropyWeight: 0.01,
  augmentation: 'none',
  noiseStd: 0.1,
  rotationTask: 'none',
  seed: 1,
  evalInterval: 50,
  evalGames: 1024,
  backend: 'auto',
  maxSteps: 0,
  featureCache: 'float16',
  featureCacheMB: 1000,
};

/** Token id that ends a message. */
export const EOS_TOKEN = 0;

/** Margin of the receiver's hinge loss. */
export const HINGE_MARGIN = 1;

export const EXTRACTOR_LABELS: Record<ExtractorMode, string> = {
  'pretrained-fixed': 'Pretrained on ImageNet and fixed',
  'random-frozen': 'Random and frozen',
  learned: 'Learned end to end',
};

export const BACKBONE_LABELS: Record<Backbone, string> = {
  vgg16: 'VGG16 to relu7 (the paper\u2019s)',
  narrow: 'Narrow VGG, 1/8 of the channels (fast on CPU, not the paper\u2019s)',
  mobilenetv2: 'MobileNetV2 0.35, pretrained only (small, not the paper\u2019s)',
};

export const AUGMENTATION_LABELS: Record<Augmentation, string> = {
  none: 'Clean images',
  noise: 'Gaussian noise',
  rotation: 'Random rotations (0, 90, 180, 270 degrees)',
};

export const ROTATION_TASK_LABELS: Record<RotationTask, string> = {
  none: 'None',
  'sender-predicts': 'Sender predicts the rotation',
  'receiver-predicts': 'Receiver predicts the rotation',
};

export const CHANNEL_LABELS: Record<Channel, string> = {
  'gumbel-straight-through': 'Straight-through Gumbel-softmax',
  'gumbel-relaxed': 'Relaxed Gumbel-softmax (soft tokens)',
  reinforce: 'REINFORCE with a mean baseline',
};

export const TEMPERATURE_MODE_LABELS: Record<TemperatureMode, string> = {
  fixed: 'Fixed',
  annealed: 'Annealed (exponential decay per step)',
  learned: 'Learned from the sender\u2019s state',
};

export const FEATURE_CACHE_LABELS: Record<FeatureCacheMode, string> = {
  float16: 'Cache in float16 (half the memory)',
  float32: 'Cache in float32 (exact)',
  off: 'Off: recompute at every step',
};

export const BACKEND_PREFERENCE_LABELS: Record<BackendPreference, string> = {
  auto: 'Auto (WebGPU, then wasm, then CPU)',
  webgpu: 'WebGPU',
  wasm: 'WebAssembly (wasm)',
  cpu: 'Plain JavaScript (cpu)',
};

/** Settings of a `RunConfig` chosen from a fixed list, with the list of each. */
export const RUN_CONFIG_CHOICES = {
  extractor: EXTRACTOR_LABELS,
  backbone: BACKBONE_LABELS,
  augmentation: AUGMENTATION_LABELS,
  rotationTask: ROTATION_TASK_LABELS,
  channel: CHANNEL_LABELS,
  temperatureMode: TEMPERATURE_MODE_LABELS,
  featureCache: FEATURE_CACHE_LABELS,
  backend: BACKEND_PREFERENCE_LABELS,
} as const satisfies { [K in keyof RunConfig]?: Record<RunConfig[K] & string, string> };

/** Name of a setting chosen from a fixed list. */
export type RunConfigChoice = keyof typeof RUN_CONFIG_CHOICES;

/** Returns whether the extractor's weights change during training. */
export function isExtractorTrainable(mode: ExtractorMode): boolean {
  switch (mode) {
    case 'learned':
      return true;
    case 'pretrained-fixed':
    case 'random-frozen':
      return false;
  }
}

/**
 * Returns the combinations of settings that cannot run, each as a sentence naming what to change.
 * The list is empty when the configuration is consistent.
 */
export function configProblems(config: GameConfig): string[] {
  const problems: string[] = [];
  if (config.backbone === 'mobilenetv2' && config.extractor !== 'pretrained-fixed') {
    problems.push('MobileNetV2 is available only pretrained and fixed: choose that extractor, or another backbone.');
  }
  if (config.backbone === 'narrow' && config.extractor === 'pretrained-fixed') {
    problems.push('The narrow backbone has no pretrained weights: choose VGG16 or MobileNetV2, or a random or learned extractor.');
  }
  if (config.rotationTask !== 'none' && config.augmentation !== 'rotation') {
    problems.push('Predicting the rotation needs rotated sender images: set the sender images to random rotations.');
  }
  if (config.temperatureMode !== 'fixed' && config.minTemperature >= config.temperature) {
    problems.push(`The minimum temperature (${config.minTemperature}) must be below the temperature (${config.temperature}) when it is ${config.temperatureMode}.`);
  }
  if (config.channel === 'reinforce' && config.temperatureMode !== 'fixed') {
    problems.push('REINFORCE samples tokens without a temperature: set the temperature to fixed.');
  }
  return problems;
}
