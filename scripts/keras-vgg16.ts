/**
 * Reads Keras' VGG16 ImageNet weights (`vgg16_weights_tf_dim_ordering_tf_kernels.h5`) and turns
 * them into the extractor's weights for 32x32 inputs. Node only: it opens the HDF5 file with
 * h5wasm.
 *
 * The file is Keras' weights format: the root lists its layers in the attribute `layer_names`,
 * and each layer's group lists its datasets in `weight_names` (for example `block1_conv1_W_1:0`
 * in Keras 1 files, `block1_conv1/kernel:0` in Keras 2 files), kernel first. Convolution kernels
 * are [3, 3, in, out], TensorFlow's order, which TF.js shares. fc1 is [25088, 4096] over the
 * 7x7x512 map of a 224x224 image, flattened row-major over (height, width, channels).
 */
import h5wasm, { Dataset, Group } from 'h5wasm/node';
import { kerasConvNames } from '../src/game/featureExtractor';
import type { NamedWeight } from '../src/game/pretrained';

/** Spatial positions of the map fc1 reads on ImageNet's 224x224 images (7x7). */
export const FC1_POSITIONS = 49;

/** Keras' names of the layers the extractor takes, in order. */
export const VGG16_WEIGHT_LAYERS: readonly string[] = [...kerasConvNames().filter((name): name is string => name !== null), 'fc1', 'fc2'];

/** A VGG16 weights file that cannot be used; the message names the layer at fault. */
export class KerasWeightsError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}. Download vgg16_weights_tf_dim_ordering_tf_kernels.h5 again (npm run setup-weights -- vgg16).`);
    this.name = 'KerasWeightsError';
  }
}

/**
 * Reads the thirteen convolutions, fc1 and fc2 of a Keras VGG16 weights file. fc1's kernel comes
 * back folded to [channels, 4096] (see `foldFc1`), under the name `fc1/kernel`.
 */
export async function readKerasVgg16(h5Path: string): Promise<Map<string, NamedWeight>> {
  await h5wasm.ready;
  const file = new h5wasm.File(h5Path, 'r');
  try {
    // Full-model files keep the weights under `model_weights`; weights-only files at the root.
    const root = file.get('model_weights') ?? file;
    if (!(root instanceof Group)) throw new KerasWeightsError(h5Path, 'model_weights is not a group');
    const weights = new Map<string, NamedWeight>();
    let channels = 0;
    for (const layer of VGG16_WEIGHT_LAYERS) {
      const { kernel, bias } = layerDatasets(root, layer, h5Path);
      const kernelShape = kernel.shape ?? [];
      if (layer === 'fc1') {
        weights.set('fc1/kernel', { shape: [channels, kernelShape[1] ?? 0], values: foldFc1(kernel, channels, h5Path) });
      } else {
        weights.set(`${layer}/kernel`, { shape: kernelShape, values: readFloats(kernel, h5Path) });
      }
      weights.set(`${layer}/bias`, { shape: bias.shape ?? [], values: readFloats(bias, h5Path) });
      if (layer.startsWith('block')) channels = kernelShape[3] ?? 0;
    }
    return weights;
  } finally {
    file.close();
  }
}

/** Returns the kernel (rank 2 or more) and bias (rank 1) datasets of one layer. */
function layerDatasets(root: Group, layer: string, h5Path: string): { kernel: Dataset; bias: Dataset } {
  const group = root.get(layer);
  if (!(group instanceof Group)) throw new KerasWeightsError(h5Path, `layer ${layer} is missing`);
  const names = group.attrs.weight_names?.value;
  if (!Array.isArray(names) || names.length !== 2) throw new KerasWeightsError(h5Path, `layer ${layer} does not list two weights in weight_names`);
  const datasets = names.map((name) => {
    const dataset = group.get(String(name));
    if (!(dataset instanceof Dataset)) throw new KerasWeightsError(h5Path, `layer ${layer} lists ${String(name)}, which is not a dataset`);
    return dataset;
  });
  const kernel = datasets.find((dataset) => (dataset.shape?.length ?? 0) >= 2);
  const bias = datasets.find((dataset) => dataset.shape?.length === 1);
  if (kernel === undefined || bias === undefined) throw new KerasWeightsError(h5Path, `layer ${layer} needs a kernel and a bias`);
  return { kernel, bias };
}

function readFloats(dataset: Dataset, h5Path: string): Float32Array {
  const value = dataset.value;
  if (!(value instanceof Float32Array)) throw new KerasWeightsError(h5Path, `${dataset.path} is not float32`);
  return value;
}

/**
 * Folds fc1 for 32x32 inputs. There the convolutions leave a 1x1 map; stretched to fc1's 7x7
 * input it repeats one vector v at all 49 positions, so fc1(v) = sum_p v . K[p] = v . (sum_p K[p]),
 * with K[p] the rows p * channels to (p + 1) * channels of the row-major (height, width,
 * channels) flattening. Reads one position at a time so that the 411 MB kernel never sits in memory.
 */
export function foldFc1(kernel: Dataset, channels: number, h5Path: string): Float32Array {
  const [rows, units] = kernel.shape ?? [];
  if (rows !== FC1_POSITIONS * channels || units === undefined) {
    throw new KerasWeightsError(h5Path, `fc1's kernel is [${(kernel.shape ?? []).join(', ')}], expected [${FC1_POSITIONS * channels}, units] over a 7x7x${channels} map`);
  }
  const sum = new Float64Array(channels * units);
  for (let position = 0; position < FC1_POSITIONS; position++) {
    const slice = kernel.slice([[position * channels, (position + 1) * channels], []]);
    if (!(slice instanceof Float32Array)) throw new KerasWeightsError(h5Path, `fc1's kernel is not float32`);
    for (let i = 0; i < slice.length; i++) sum[i] = (sum[i] as number) + (slice[i] as number);
  }
  return Float32Array.from(sum);
}
