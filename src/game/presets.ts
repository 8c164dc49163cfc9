/**
 * One preset per row of Mihai & Hare's (2019) tables, with the published figures beside it.
 *
 * Every preset starts from `DEFAULT_RUN_CONFIG` (the paper's game: VGG16, vocabulary 100, messages
 * of 5 tokens, 127 distractors, Adam, batch 128, straight-through Gumbel-softmax) and sets what the
 * row varies. Where the paper is silent, these are our choices:
 * - learning rate 1e-3 (Adam's usual default) and a fixed temperature of 1;
 * - Gaussian noise of standard deviation 0.1 on the 0-1 pixel scale, clipped to the valid range;
 * - 10,000 training steps (about 26 epochs of CIFAR-10's 50,000 training images);
 * - evaluation on every test image (78 games of 128, so 9,984 targets), every 500 steps;
 * - for the rotation task, which the talk does not tie to an extractor: VGG16 pretrained and
 *   fixed, because the published semantic figures (class images in the top 5, class rank) match
 *   the pretrained rows of the first table.
 */
import { DEFAULT_RUN_CONFIG, type ExtractorMode, type RunConfig } from './config';
import { EXTRACTOR_TABLE, type PublishedResult, ROTATION_TASK_TABLE } from './paperResults';

/** Name of a preset: the row of a table. */
export type PresetId = keyof typeof EXTRACTOR_TABLE | keyof typeof ROTATION_TASK_TABLE;

/** Published table that a preset reproduces. */
export type PaperTable = 'extractor' | 'rotation-task';

export interface Preset {
  id: PresetId;
  table: PaperTable;
  /** Short row label, as the table prints it. */
  label: string;
  /** Settings the row changes from `DEFAULT_RUN_CONFIG`. */
  settings: Partial<RunConfig>;
  published: PublishedResult;
}

/** Settings every preset shares, where the paper is silent (see the file comment). */
export const PRESET_COMMON: Partial<RunConfig> = {
  learningRate: 1e-3,
  temperature: 1,
  temperatureMode: 'fixed',
  channel: 'gumbel-straight-through',
  noiseStd: 0.1,
  maxSteps: 10_000,
  evalGames: 10_000,
  evalInterval: 500,
  backbone: 'vgg16',
};

const EXTRACTOR_NAMES: Record<'pretrained' | 'random' | 'learned', { mode: ExtractorMode; label: string }> = {
  pretrained: { mode: 'pretrained-fixed', label: 'pretrained & fixed' },
  random: { mode: 'random-frozen', label: 'random & frozen' },
  learned: { mode: 'learned', label: 'learned end to end' },
};

const AUGMENTATION_NAMES = {
  clean: { augmentation: 'none', label: 'clean' },
  noise: { augmentation: 'noise', label: 'Gaussian noise' },
  rotation: { augmentation: 'rotation', label: 'random rotations' },
} as const;

function extractorPreset(extractor: keyof typeof EXTRACTOR_NAMES, images: keyof typeof AUGMENTATION_NAMES): Preset {
  const id = `${extractor}-${images}` as const;
  return {
    id,
    table: 'extractor',
    label: `${AUGMENTATION_NAMES[images].label}, ${EXTRACTOR_NAMES[extractor].label}`,
    settings: { ...PRESET_COMMON, extractor: EXTRACTOR_NAMES[extractor].mode, augmentation: AUGMENTATION_NAMES[images].augmentation, rotationTask: 'none' },
    published: EXTRACTOR_TABLE[id],
  };
}

function rotationTaskPreset(id: keyof typeof ROTATION_TASK_TABLE): Preset {
  return {
    id,
    table: 'rotation-task',
    label: id === 'sender-predicts' ? 'sender predicts' : 'receiver predicts',
    settings: { ...PRESET_COMMON, extractor: 'pretrained-fixed', augmentation: 'rotation', rotationTask: id },
    published: ROTATION_TASK_TABLE[id],
  };
}

/** Every preset, in the tables' order. */
export const PRESETS: readonly Preset[] = [
  ...(['clean', 'noise', 'rotation'] as const).flatMap((images) => (['pretrained', 'random', 'learned'] as const).map((extractor) => extractorPreset(extractor, images))),
  rotationTaskPreset('receiver-predicts'),
  rotationTaskPreset('sender-predicts'),
];

/** Returns the preset named `id`, or undefined when there is none. */
export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((preset) => preset.id === id);
}

/**
 * Returns the run configuration of a preset. `keep` carries over settings that are about the
 * machine, not the experiment (the backend, the cache budget).
 */
export function presetConfig(preset: Preset, keep: Partial<RunConfig> = {}): RunConfig {
  return { ...DEFAULT_RUN_CONFIG, ...preset.settings, ...keep };
}

/**
 * Names of the settings in which `config` differs from the preset's configuration, leaving out
 * those that do not change what is trained or measured (backend, cache, seed, evaluation interval).
 */
export function differencesFromPreset(preset: Preset, config: RunConfig): (keyof RunConfig)[] {
  const expected = presetConfig(preset);
  const machineSettings: (keyof RunConfig)[] = ['backend', 'featureCache', 'featureCacheMB', 'seed', 'evalInterval'];
  return (Object.keys(expected) as (keyof RunConfig)[]).filter((key) => !machineSettings.includes(key) && expected[key] !== config[key]);
}
