/**
 * The feature extractor shared by sender and receiver.
 *
 * VGG16 (Simonyan & Zisserman, 2015) up to relu7 on 32x32 images: thirteen 3x3 convolutions in
 * five blocks, each block closed by 2x2 max pooling, leave a 1x1x512 map. On ImageNet's 224x224
 * input, fc6 reads a 7x7x512 map; a 1x1 map stretched to 7x7 repeats one vector 49 times, so fc6
 * folds into a dense 512 -> 4096 layer whose kernel is the sum of the 49 spatial slices. fc7 is
 * a dense 4096 -> 4096 layer; relu7 is its ReLU, the image features.
 *
 * MobileNetV2 with width 0.35 (Sandler et al., 2018), pretrained only: images are upscaled,
 * encoded to its 1280-channel `out_relu` map, and averaged over space.
 */
import * as tf from '@tensorflow/tfjs';
import { type Backbone, type ExtractorMode, isExtractorTrainable } from './config';
import { conv3x3 } from './conv';
import { type DenseParams, type ParamStore, createDense, dense, heNormal } from './layers';
import type { NamedWeight, PretrainedWeights } from './pretrained';

/** Output channels of the 3x3 convolutions, block by block ('M' = 2x2 max pooling). */
const VGG16_LAYOUT: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
const VGG16_FC_SIZE = 4096;

/** The narrow backbone divides every width by this factor. */
const NARROW_FACTOR = 8;

/** Channels of MobileNetV2's last map at width 0.35 (1280, kept full width by design). */
const MOBILENET_FEATURES = 1280;

/**
 * Side to which images are upscaled before MobileNetV2. We measured a nearest-class-mean probe on
 * the pooled features with `npm run measure-features` (2,048 CIFAR-10 training and 1,024 test
 * images, wasm, 2-core machine). It scored 0.31 at 32 pixels, 0.53 at 64, 0.65 at 96, 0.70 at 128
 * and 0.69 at 160, for 0.10, 0.27, 0.49, 0.94 and 1.45 s per 128 images. A frozen extractor
 * encodes each image once (see FeatureCache), so the best probe wins over speed.
 */
export const MOBILENET_INPUT_SIZE = 128;

/** Per-channel mean and standard deviation of ImageNet, on the 0-1 scale (torchvision's values). */
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** Per-channel mean that Keras' VGG16 subtracts, in BGR order on the 0-255 scale ('caffe' mode). */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

interface ConvParams {
  filter: tf.Variable; // [3, 3, inChannels, outChannels]
  bias: tf.Variable; // [outChannels]
}

/** Preprocessing that turns 0-255 RGB pixels into the network's input. */
export type InputNormalisation = 'imagenet-std' | 'caffe-bgr' | 'symmetric';

/** A VGG-style extractor whose parameters live in the game's `ParamStore`. */
export interface VggExtractor {
  kind: 'vgg';
  mode: ExtractorMode;
  backbone: 'vgg16' | 'narrow';
  /** Length of a feature vector (relu7's width). */
  featureSize: number;
  normalisation: InputNormalisation;
  convs: (ConvParams | 'M')[];
  fc6: DenseParams;
  fc7: DenseParams;
}

/** Pretrained MobileNetV2, a TF.js layers model that the game owns and disposes. */
export interface MobileNetExtractor {
  kind: 'mobilenetv2';
  mode: 'pretrained-fixed';
  backbone: 'mobilenetv2';
  featureSize: number;
  normalisation: 'symmetric';
  model: tf.LayersModel;
  /** Side of the square images fed to the model. */
  inputSize: number;
}

export type FeatureExtractor = VggExtractor | MobileNetExtractor;

/** Width of the image features for a backbone. */
export function featureSizeOf(backbone: Backbone): number {
  switch (backbone) {
    case 'vgg16':
      return VGG16_FC_SIZE;
    case 'narrow':
      return VGG16_FC_SIZE / NARROW_FACTOR;
    case 'mobilenetv2':
      return MOBILENET_FEATURES;
  }
}

export function layoutOf(backbone: 'vgg16' | 'narrow'): (number | 'M')[] {
  switch (backbone) {
    case 'vgg16':
      return VGG16_LAYOUT;
    case 'narrow':
      return VGG16_LAYOUT.map((entry) => (entry === 'M' ? entry : entry / NARROW_FACTOR));
  }
}

/**
 * Keras' name of each layer of a VGG layout: block1_conv1, block1_conv2, null for a pooling,
 * block2_conv1, ... The VGG16 weights file uses these names.
 */
export function kerasConvNames(layout: (number | 'M')[] = VGG16_LAYOUT): (string | null)[] {
  let block = 1;
  let conv = 1;
  return layout.map((entry) => {
    if (entry !== 'M') return `block${block}_conv${conv++}`;
    block++;
    conv = 1;
    return null;
  });
}

/**
 * Names and shapes of a VGG layout's pretrained weights, as the weights files hold them:
 * `block1_conv1/kernel` [3, 3, 3, 64], ..., `fc1/kernel` [fc1Positions * 512, 4096], ...,
 * `fc2/bias` [4096]. fc1Positions is 49 in Keras' file (a 7x7 map) and 1 once folded.
 */
export function vggWeightShapes(backbone: 'vgg16' | 'narrow', fc1Positions = 1): [string, number[]][] {
  const layout = layoutOf(backbone);
  const names = kerasConvNames(layout);
  const shapes: [string, number[]][] = [];
  let channels = 3;
  for (const [index, entry] of layout.entries()) {
    if (entry === 'M') continue;
    shapes.push([`${names[index] as string}/kernel`, [3, 3, channels, entry]], [`${names[index] as string}/bias`, [entry]]);
    channels = entry;
  }
  const size = featureSizeOf(backbone);
  shapes.push(['fc1/kernel', [fc1Positions * channels, size]], ['fc1/bias', [size]], ['fc2/kernel', [size, size]], ['fc2/bias', [size]]);
  return shapes;
}

/**
 * Creates the extractor's parameters; a frozen or pretrained one is left out of the optimiser.
 * `pretrained` must hold the backbone's weights when `mode` is 'pretrained-fixed'.
 */
export function createFeatureExtractor(
  store: ParamStore,
  mode: ExtractorMode,
  backbone: Backbone,
  pretrained: PretrainedWeights | null = null,
): FeatureExtractor {
  if (mode === 'pretrained-fixed' && pretrained === null) {
    throw new Error(`the pretrained ${backbone} extractor needs its weights; run \`npm run setup-weights -- ${backbone}\``);
  }
  if (pretrained !== null && pretrained.backbone !== backbone) {
    throw new Error(`pretrained weights of ${pretrained.backbone} cannot build a ${backbone} extractor`);
  }
  if (backbone === 'mobilenetv2') {
    if (mode !== 'pretrained-fixed' || pretrained?.backbone !== 'mobilenetv2') throw new Error('MobileNetV2 is available only pretrained and fixed');
    return { kind: 'mobilenetv2', mode, backbone, featureSize: MOBILENET_FEATURES, normalisation: 'symmetric', model: pretrained.model, inputSize: MOBILENET_INPUT_SIZE };
  }
  const weights = mode === 'pretrained-fixed' && pretrained !== null && pretrained.backbone !== 'mobilenetv2' ? pretrained.weights : null;
  return createVggExtractor(store, mode, backbone, weights);
}

/** Pretrained weights are taken only for the pretrained mode; other modes draw from the run's generator. */
function createVggExtractor(store: ParamStore, mode: ExtractorMode, backbone: 'vgg16' | 'narrow', weights: Map<string, NamedWeight> | null): VggExtractor {
  const trainable = isExtractorTrainable(mode);
  const layout = layoutOf(backbone);
  const names = kerasConvNames(layout);
  const convs: (ConvParams | 'M')[] = [];
  let channels = 3;
  for (const [index, entry] of layout.entries()) {
    if (entry === 'M') {
      convs.push('M');
      continue;
    }
    const name = `extractor/conv${index}`;
    const kerasName = names[index] as string;
    const filterShape = [3, 3, channels, entry];
    convs.push({
      filter: weights === null ? heNormal(store, `${name}/filter`, filterShape, 9 * channels, trainable) : fixed(store, `${name}/filter`, take(weights, `${kerasName}/kernel`, filterShape)),
      bias: weights === null ? store.create(`${name}/bias`, [entry], new Float32Array(entry), trainable) : fixed(store, `${name}/bias`, take(weights, `${kerasName}/bias`, [entry])),
    });
    channels = entry;
  }
  const featureSize = featureSizeOf(backbone);
  const denseOf = (name: string, kerasName: string, inputSize: number): DenseParams =>
    weights === null
      ? createDense(store, `extractor/${name}`, inputSize, featureSize, trainable)
      : { kernel: fixed(store, `extractor/${name}/kernel`, take(weights, `${kerasName}/kernel`, [inputSize, featureSize])), bias: fixed(store, `extractor/${name}/bias`, take(weights, `${kerasName}/bias`, [featureSize])) };
  const normalisation: InputNormalisation = weights === null ? 'imagenet-std' : 'caffe-bgr';
  return { kind: 'vgg', mode, backbone, featureSize, normalisation, convs, fc6: denseOf('fc6', 'fc1', channels), fc7: denseOf('fc7', 'fc2', featureSize) };
}

function take(weights: Map<string, NamedWeight>, name: string, shape: number[]): NamedWeight {
  const weight = weights.get(name);
  if (weight === undefined) throw new Error(`the pretrained weights have no ${name}; run \`npm run setup-weights\` again`);
  if (weight.shape.join('x') !== shape.join('x')) {
    throw new Error(`pretrained ${name} has shape [${weight.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return weight;
}

function fixed(store: ParamStore, name: string, weight: NamedWeight): tf.Variable {
  return store.create(name, weight.shape, weight.values, false);
}

/** Turns 0-255 RGB pixels [batch, H, W, 3] into the input a network expects. */
export function normalisePixels(pixels: tf.Tensor4D, normalisation: InputNormalisation): tf.Tensor4D {
  return tf.tidy(() => {
    switch (normalisation) {
      case 'imagenet-std':
        return tf.div(tf.sub(tf.div(pixels, 255), IMAGENET_MEAN), IMAGENET_STD) as tf.Tensor4D;
      case 'caffe-bgr':
        // Keras' VGG16 preprocessing: RGB to BGR, then subtract the BGR mean; no scaling.
        return tf.sub(tf.reverse(pixels, 3), CAFFE_MEAN_BGR) as tf.Tensor4D;
      case 'symmetric':
        return tf.sub(tf.div(pixels, 127.5), 1) as tf.Tensor4D;
    }
  });
}

/** Maps 0-255 pixels [batch, 32, 32, 3] to image features [batch, featureSize]. */
export function extractFeatures(extractor: FeatureExtractor, pixels: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const input = normalisePixels(pixels, extractor.normalisation);
    switch (extractor.kind) {
      case 'vgg':
        return vggFeatures(extractor, input);
      case 'mobilenetv2': {
        const resized = tf.image.resizeBilinear(input, [extractor.inputSize, extractor.inputSize]);
        const map = extractor.model.predict(resized) as tf.Tensor4D; // [batch, h, w, 1280]
        return tf.mean(map, [1, 2]) as tf.Tensor2D;
      }
    }
  });
}

function vggFeatures(extractor: VggExtractor, input: tf.Tensor4D): tf.Tensor2D {
  let x = input;
  for (const layer of extractor.convs) {
    x = layer === 'M' ? tf.maxPool(x, 2, 2, 'valid') : (tf.relu(tf.add(conv3x3(x, layer.filter as tf.Tensor4D), layer.bias)) as tf.Tensor4D);
  }
  const pooled = tf.reshape(x, [x.shape[0], x.shape[3]]) as tf.Tensor2D; // [batch, 1, 1, C] -> [batch, C]
  const relu6 = tf.relu(dense(extractor.fc6, pooled));
  return tf.relu(dense(extractor.fc7, relu6));
}

/** Releases what the extractor owns beyond the game's `ParamStore`. */
export function disposeExtractor(extractor: FeatureExtractor): void {
  if (extractor.kind === 'mobilenetv2') extractor.model.dispose();
}
