/**
 * Pretrained ImageNet weights of the feature extractor, read from files that `npm run
 * setup-weights` writes under `public/weights/`. Pure TF.js: the worker reads the files over HTTP,
 * the headless runner and tests from disk, through a `WeightFileReader`.
 *
 * VGG16 is stored as a weights manifest in TF.js' format (`manifest.json` + binary shards), each
 * weight float32 or, with `quantization: { dtype: 'float16' }`, float16. Names follow Keras'
 * layers: `block1_conv1/kernel` ... `block5_conv3/bias`, `fc1/kernel` (already folded to
 * [512, 4096] for 32x32 inputs), `fc1/bias`, `fc2/kernel`, `fc2/bias`.
 * MobileNetV2 is the TF.js layers model as published (`model.json` + its weight files).
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone, GameConfig } from './config';
import { decodeFloat16, encodeFloat16 } from './float16';

/** Returns the bytes of a file under the weights folder, given its path relative to that folder. */
export type WeightFileReader = (relativePath: string) => Promise<ArrayBuffer>;

/** Folder of each pretrained backbone under the weights folder. */
export const WEIGHTS_FOLDERS = {
  vgg16: 'vgg16',
  mobilenetv2: 'mobilenet_v2_0.35_224_no_top',
} as const;

/** Backbone that has pretrained weights. */
export type PretrainedBackbone = keyof typeof WEIGHTS_FOLDERS;

/** Name of the VGG16 weights manifest in its folder. */
export const VGG_MANIFEST_NAME = 'manifest.json';

/** Name of the MobileNetV2 model description in its folder. */
export const MOBILENET_MODEL_NAME = 'model.json';

/** One weight of a manifest, as in TF.js' `WeightsManifestEntry`. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'float16' };
}

/** A weights manifest: TF.js' `WeightsManifestConfig` plus where the weights came from. */
export interface WeightsManifest {
  /** Origin of the weights, for people reading the file. */
  source: string;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

/** Values of one weight: `values` is row-major over `shape`. */
export interface NamedWeight {
  shape: number[];
  values: Float32Array;
}

/**
 * Pretrained weights, loaded and ready to build an extractor from. Only VGG16 and MobileNetV2
 * weights are published; VGG weights of the narrow layout serve tests.
 */
export type PretrainedWeights =
  | { backbone: 'vgg16' | 'narrow'; weights: Map<string, NamedWeight> }
  | { backbone: 'mobilenetv2'; model: tf.LayersModel };

/** Returns the backbone whose pretrained weights a configuration needs, or null. */
export function pretrainedBackboneOf(config: Pick<GameConfig, 'extractor' | 'backbone'>): PretrainedBackbone | null {
  if (config.extractor !== 'pretrained-fixed') return null;
  return pretrainedBackbone(config.backbone);
}

function pretrainedBackbone(backbone: Backbone): PretrainedBackbone | null {
  switch (backbone) {
    case 'vgg16':
    case 'mobilenetv2':
      return backbone;
    case 'narrow':
      return null;
  }
}

/** Loads the pretrained weights of `backbone` through `read`. */
export async function loadPretrained(backbone: PretrainedBackbone, read: WeightFileReader): Promise<PretrainedWeights> {
  const folder = WEIGHTS_FOLDERS[backbone];
  const inFolder: WeightFileReader = (name) => read(`${folder}/${name}`);
  switch (backbone) {
    case 'vgg16':
      return { backbone, weights: await loadNamedWeights(inFolder) };
    case 'mobilenetv2':
      return { backbone, model: await loadMobileNetV2(inFolder) };
  }
}

/** Reads a weights manifest and its shards into named float32 arrays. */
export async function loadNamedWeights(read: WeightFileReader): Promise<Map<string, NamedWeight>> {
  const manifest = parseWeightsManifest(JSON.parse(new TextDecoder().decode(await read(VGG_MANIFEST_NAME))) as unknown);
  const weights = new Map<string, NamedWeight>();
  for (const group of manifest.weightsManifest) {
    const shards = await Promise.all(group.paths.map((path) => read(path)));
    const bytes = concatBuffers(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const byteLength = size * (spec.quantization === undefined ? 4 : 2);
      if (offset + byteLength > bytes.byteLength) {
        throw new Error(`weights file too short: ${spec.name} needs bytes ${offset}-${offset + byteLength}, the shards hold ${bytes.byteLength}`);
      }
      const slice = bytes.slice(offset, offset + byteLength).buffer;
      const values = spec.quantization === undefined ? new Float32Array(slice) : decodeFloat16(new Uint16Array(slice));
      weights.set(spec.name, { shape: spec.shape, values });
      offset += byteLength;
    }
  }
  return weights;
}

/** Validates parsed manifest JSON; throws naming the first field at fault. */
export function parseWeightsManifest(value: unknown): WeightsManifest {
  const fail = (problem: string): never => {
    throw new Error(`invalid weights manifest: ${problem}. Run \`npm run setup-weights\` again.`);
  };
  if (typeof value !== 'object' || value === null || !('weightsManifest' in value) || !Array.isArray(value.weightsManifest)) {
    return fail('expected an object with a "weightsManifest" array');
  }
  const source = 'source' in value && typeof value.source === 'string' ? value.source : '';
  const groups = (value.weightsManifest as unknown[]).map((group, index) => {
    if (typeof group !== 'object' || group === null || !('paths' in group) || !('weights' in group)) return fail(`group ${index} needs "paths" and "weights"`);
    const { paths, weights } = group;
    if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string' && /^[\w.-]+$/.test(path))) return fail(`group ${index} has invalid paths`);
    if (!Array.isArray(weights)) return fail(`group ${index} has no weights array`);
    return { paths: paths as string[], weights: (weights as unknown[]).map((spec) => parseWeightSpec(spec, fail)) };
  });
  return { source, weightsManifest: groups };
}

function parseWeightSpec(spec: unknown, fail: (problem: string) => never): WeightSpec {
  if (typeof spec !== 'object' || spec === null || !('name' in spec) || !('shape' in spec) || !('dtype' in spec)) {
    return fail(`a weight needs "name", "shape" and "dtype", got ${JSON.stringify(spec)}`);
  }
  const { name, shape, dtype } = spec;
  if (typeof name !== 'string') return fail('a weight name is not a string');
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && (size as number) > 0)) return fail(`${name} has an invalid shape`);
  if (dtype !== 'float32') return fail(`${name} has dtype ${String(dtype)}, expected float32`);
  const quantization = 'quantization' in spec ? spec.quantization : undefined;
  if (quantization === undefined) return { name, shape: shape as number[], dtype };
  if (typeof quantization !== 'object' || quantization === null || !('dtype' in quantization) || quantization.dtype !== 'float16') {
    return fail(`${name} has an unsupported quantization; only float16 is read`);
  }
  return { name, shape: shape as number[], dtype, quantization: { dtype: 'float16' } };
}

function concatBuffers(buffers: ArrayBuffer[]): Uint8Array {
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    bytes.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return bytes;
}

/** Storage type of the weights written by `encodeNamedWeights`. */
export type WeightsDtype = 'float32' | 'float16';

/**
 * Serialises named weights as a manifest and shards of at most `shardBytes` bytes (the files
 * `loadNamedWeights` reads). Weights are written in the map's order.
 */
export function encodeNamedWeights(
  weights: Map<string, NamedWeight>,
  dtype: WeightsDtype,
  source: string,
  shardBytes = 4 * 1024 * 1024,
): { manifest: WeightsManifest; shards: Map<string, Uint8Array> } {
  const parts: Uint8Array[] = [];
  const specs: WeightSpec[] = [];
  for (const [name, weight] of weights) {
    const encoded = dtype === 'float16' ? encodeFloat16(weight.values) : weight.values;
    parts.push(new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength));
    specs.push(dtype === 'float16' ? { name, shape: weight.shape, dtype: 'float32', quantization: { dtype: 'float16' } } : { name, shape: weight.shape, dtype: 'float32' });
  }
  const bytes = concatBuffers(parts.map((part) => part.slice().buffer));
  const count = Math.max(1, Math.ceil(bytes.byteLength / shardBytes));
  const shards = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) shards.set(`group1-shard${i + 1}of${count}.bin`, bytes.subarray(i * shardBytes, (i + 1) * shardBytes));
  return { manifest: { source, weightsManifest: [{ paths: [...shards.keys()], weights: specs }] }, shards };
}

/**
 * Loads MobileNetV2 from a TF.js layers model, with its input opened to any image size: the
 * published model fixes 224x224, but every layer after the input accepts any size.
 */
export async function loadMobileNetV2(read: WeightFileReader): Promise<tf.LayersModel> {
  const model = JSON.parse(new TextDecoder().decode(await read(MOBILENET_MODEL_NAME))) as unknown;
  const artifacts = layersModelArtifacts(model);
  const paths = artifacts.manifest.flatMap((group) => group.paths);
  const weightData = concatBuffers(await Promise.all(paths.map((path) => read(path)))).buffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifacts.topology,
      weightSpecs: artifacts.manifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
}

/** Topology of a layers model's `model.json`, with the first layer's input shape set to [null, null, null, 3]. */
function layersModelArtifacts(model: unknown): { topology: tf.io.ModelJSON['modelTopology']; manifest: tf.io.WeightsManifestConfig } {
  if (typeof model !== 'object' || model === null || !('modelTopology' in model) || !('weightsManifest' in model)) {
    throw new Error(`${MOBILENET_MODEL_NAME} is not a TF.js layers model (no modelTopology or weightsManifest). Run \`npm run setup-weights -- mobilenetv2\` again.`);
  }
  // The topology is Keras' JSON, which TF.js types as an open object: the model's config, or one
  // wrapped in `model_config` as Keras writes it in a full model file.
  type ModelConfig = { config?: { layers?: { config?: Record<string, unknown> }[] } };
  const topology = model.modelTopology as ModelConfig & { model_config?: ModelConfig };
  const input = (topology.model_config ?? topology).config?.layers?.[0]?.config;
  if (input === undefined || !('batch_input_shape' in input)) {
    throw new Error(`${MOBILENET_MODEL_NAME} has no input layer with a batch_input_shape`);
  }
  input.batch_input_shape = [null, null, null, 3];
  return { topology: model.modelTopology as tf.io.ModelJSON['modelTopology'], manifest: model.weightsManifest as tf.io.WeightsManifestConfig };
}
