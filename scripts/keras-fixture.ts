/**
 * Test fixture: a small HDF5 file with the layout of Keras' VGG16 weights file, at the narrow
 * backbone's widths (1/8 of the channels, fc layers of 512) so that it is written in milliseconds.
 * Node only; imported by tests, never by the app.
 */
import h5wasm from 'h5wasm/node';
import { vggWeightShapes } from '../src/game/featureExtractor';
import type { NamedWeight } from '../src/game/pretrained';
import { Rng } from '../src/game/random';
import { FC1_POSITIONS } from './keras-vgg16';

/** Dataset naming of the file: Keras 1 (`block1_conv1_W_1:0` in the layer's group) or Keras 2 (`block1_conv1/kernel:0`). */
export type KerasNaming = 'keras1' | 'keras2';

/** Layers of Keras' VGG16 in order, those without weights included, as the file's `layer_names` lists them. */
const LAYER_NAMES = [
  'input_1', 'block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1', 'block2_conv2', 'block2_pool',
  'block3_conv1', 'block3_conv2', 'block3_conv3', 'block3_pool', 'block4_conv1', 'block4_conv2', 'block4_conv3', 'block4_pool',
  'block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool', 'flatten', 'fc1', 'fc2', 'predictions',
];

/** Classes of the fixture's classifier, which the conversion must skip (ImageNet has 1000). */
const PREDICTION_CLASSES = 10;

/**
 * Writes the fixture to `file` and returns the weights it holds, by Keras name (`fc1/kernel` unfolded,
 * [49 * 64, 512]). Values come from a generator seeded with `seed`.
 */
export async function writeKerasVggFixture(file: string, naming: KerasNaming, seed = 1): Promise<Map<string, NamedWeight>> {
  await h5wasm.ready;
  const rng = new Rng(seed);
  const weights = new Map<string, NamedWeight>();
  const shapes = [...vggWeightShapes('narrow', FC1_POSITIONS), ['predictions/kernel', [512, PREDICTION_CLASSES]], ['predictions/bias', [PREDICTION_CLASSES]]] as [string, number[]][];
  for (const [name, shape] of shapes) weights.set(name, { shape, values: rng.normalArray(shape.reduce((a, b) => a * b, 1), 0.1) });

  const h5 = new h5wasm.File(file, 'w');
  try {
    h5.create_attribute('layer_names', LAYER_NAMES);
    h5.create_attribute('backend', 'tensorflow');
    for (const layer of LAYER_NAMES) {
      const group = h5.create_group(layer);
      const kernel = weights.get(`${layer}/kernel`);
      const bias = weights.get(`${layer}/bias`);
      if (kernel === undefined || bias === undefined) {
        group.create_attribute('weight_names', [] as string[]);
        continue;
      }
      const names = naming === 'keras1' ? [`${layer}_W_1:0`, `${layer}_b_1:0`] : [`${layer}/kernel:0`, `${layer}/bias:0`];
      group.create_attribute('weight_names', names);
      const holder = naming === 'keras1' ? group : group.create_group(layer);
      const datasetNames = naming === 'keras1' ? names : ['kernel:0', 'bias:0'];
      holder.create_dataset({ name: datasetNames[0] as string, data: kernel.values, shape: kernel.shape, dtype: '<f' });
      holder.create_dataset({ name: datasetNames[1] as string, data: bias.values, shape: bias.shape, dtype: '<f' });
    }
  } finally {
    h5.close();
  }
  return weights;
}
