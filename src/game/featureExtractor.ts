/**
 * The VGG-style feature extractor shared by sender and receiver.
 *
 * VGG16 (Simonyan & Zisserman, 2015) up to relu7 on 32x32 images: thirteen 3x3 convolutions in
 * five blocks, each block closed by 2x2 max pooling, leave a 1x1x512 map. On ImageNet's 224x224
 * input, fc6 reads a 7x7x512 map; a 1x1 map stretched to 7x7 repeats one vector 49 times, so fc6
 * folds into a dense 512 -> 4096 layer whose kernel is the sum of the 49 spatial slices. fc7 is
 * a dense 4096 -> 4096 layer; relu7 is its ReLU, the image features.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone, ExtractorMode } from './config';
import { type DenseParams, type ParamStore, createDense, dense, heNormal } from './layers';

/** Output channels of the 3x3 convolutions, block by block ('M' = 2x2 max pooling). */
const VGG16_LAYOUT: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
const VGG16_FC_SIZE = 4096;

/** The narrow backbone divides every width by this factor. */
const NARROW_FACTOR = 8;

/** Per-channel mean and standard deviation of ImageNet, on the 0-1 scale (torchvision's values). */
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

interface ConvParams {
  filter: tf.Variable; // [3, 3, inChannels, outChannels]
  bias: tf.Variable; // [outChannels]
}

export interface FeatureExtractor {
  mode: ExtractorMode;
  backbone: Backbone;
  /** Length of a feature vector (relu7's width). */
  featureSize: number;
  convs: (ConvParams | 'M')[];
  fc6: DenseParams;
  fc7: DenseParams;
}

/** Width of relu7 for a backbone. */
export function featureSizeOf(backbone: Backbone): number {
  return backbone === 'vgg16' ? VGG16_FC_SIZE : VGG16_FC_SIZE / NARROW_FACTOR;
}

function layoutOf(backbone: Backbone): (number | 'M')[] {
  switch (backbone) {
    case 'vgg16':
      return VGG16_LAYOUT;
    case 'narrow':
      return VGG16_LAYOUT.map((entry) => (entry === 'M' ? entry : entry / NARROW_FACTOR));
  }
}

/** Creates the extractor's parameters; a frozen one is left out of the optimiser. */
export function createFeatureExtractor(store: ParamStore, mode: ExtractorMode, backbone: Backbone): FeatureExtractor {
  const trainable = isTrainable(mode);
  const convs: (ConvParams | 'M')[] = [];
  let channels = 3;
  for (const [index, entry] of layoutOf(backbone).entries()) {
    if (entry === 'M') {
      convs.push('M');
      continue;
    }
    const fanIn = 9 * channels;
    convs.push({
      filter: heNormal(store, `extractor/conv${index}/filter`, [3, 3, channels, entry], fanIn, trainable),
      bias: store.create(`extractor/conv${index}/bias`, [entry], new Float32Array(entry), trainable),
    });
    channels = entry;
  }
  const featureSize = featureSizeOf(backbone);
  return {
    mode,
    backbone,
    featureSize,
    convs,
    fc6: createDense(store, 'extractor/fc6', channels, featureSize, trainable),
    fc7: createDense(store, 'extractor/fc7', featureSize, featureSize, trainable),
  };
}

export function isTrainable(mode: ExtractorMode): boolean {
  switch (mode) {
    case 'random-frozen':
      return false;
  }
}

/** Turns 0-255 pixels [batch, 32, 32, 3] into the normalised input the extractor expects. */
export function normalisePixels(pixels: tf.Tensor4D): tf.Tensor4D {
  return tf.div(tf.sub(tf.div(pixels, 255), IMAGENET_MEAN), IMAGENET_STD) as tf.Tensor4D;
}

/** Maps 0-255 pixels [batch, 32, 32, 3] to relu7 features [batch, featureSize]. */
export function extractFeatures(extractor: FeatureExtractor, pixels: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = normalisePixels(pixels);
    for (const layer of extractor.convs) {
      x = layer === 'M' ? tf.maxPool(x, 2, 2, 'valid') : (tf.relu(tf.add(tf.conv2d(x, layer.filter as tf.Tensor4D, 1, 'same'), layer.bias)) as tf.Tensor4D);
    }
    const pooled = tf.reshape(x, [x.shape[0], x.shape[3]]) as tf.Tensor2D; // [batch, 1, 1, C] -> [batch, C]
    const relu6 = tf.relu(dense(extractor.fc6, pooled));
    return tf.relu(dense(extractor.fc7, relu6));
  });
}
