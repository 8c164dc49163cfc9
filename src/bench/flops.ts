/**
 * Analytical count of the floating-point operations of one training step, for model FLOP
 * utilisation.
 *
 * Only matrix products and convolutions are counted, at 2 FLOPs per multiply-add. A product of
 * [m, k] by [k, n] is 2mkn. A 3x3 'same' convolution over an h x w map is 2hw * 9 * Cin * Cout
 * per image. The zero padding's taps count, because the kernels compute them. Element-wise work
 * (biases, gates, batch normalisation, softmax, pooling, the hinge loss, Adam) is left out: it is
 * linear in the activations rather than in activations x weights, and for these models it is
 * below 1% of the products.
 *
 * A trained part costs 3 times its forward pass: the backward pass computes one product for the
 * gradient of the input and one for the gradient of the weights, each as large as the forward
 * product. A frozen extractor runs forward only, and only on the images the step encodes itself.
 */
import { type Backbone, type RunConfig, isExtractorTrainable } from '../game/config';
import { featureSizeOf, layoutOf } from '../game/featureExtractor';
import { ROTATIONS } from '../game/images';

/** Factor from a trained part's forward FLOPs to its forward + backward FLOPs. */
export const TRAINING_FACTOR = 3;

/** Side of a CIFAR-10 image in pixels. */
const IMAGE_SIDE = 32;

/** FLOPs of one training step, by part. */
export interface StepFlops {
  extractor: number;
  sender: number;
  receiver: number;
  loss: number;
  total: number;
}

/** Returns the forward FLOPs of a VGG extractor (convolutions, fc6 and fc7) over `images` images. */
export function vggForwardFlops(backbone: Exclude<Backbone, 'mobilenetv2'>, images: number): number {
  let side = IMAGE_SIDE;
  let channels = 3;
  let perImage = 0;
  for (const entry of layoutOf(backbone)) {
    if (entry === 'M') {
      side /= 2;
      continue;
    }
    perImage += 2 * side * side * 9 * channels * entry;
    channels = entry;
  }
  const featureSize = featureSizeOf(backbone);
  perImage += 2 * channels * featureSize + 2 * featureSize * featureSize;
  return perImage * images;
}

/**
 * Returns the sender's forward FLOPs for one batch: features to the LSTM's initial state, then
 * at each position the LSTM's gates, the logits, the next input's embedding, and the learned
 * temperature when there is one.
 */
export function senderForwardFlops(config: RunConfig, featureSize: number): number {
  const { batchSize: b, hiddenSize: h, embeddingSize: e, vocabSize: v, maxLen } = config;
  const temperatureHead = config.temperatureMode === 'learned' ? 2 * b * h : 0;
  const perPosition = 2 * b * (e + h) * 4 * h + 2 * b * h * v + 2 * b * v * e + temperatureHead;
  return 2 * b * featureSize * h + maxLen * perPosition;
}

/** Returns the receiver's forward FLOPs for one batch: embeddings and LSTM gates at each position, then hidden state to features. */
export function receiverForwardFlops(config: RunConfig, featureSize: number): number {
  const { batchSize: b, hiddenSize: h, embeddingSize: e, vocabSize: v, maxLen } = config;
  return maxLen * (2 * b * v * e + 2 * b * (e + h) * 4 * h) + 2 * b * h * featureSize;
}

/** Returns the loss's forward FLOPs: the scores of every candidate, and the rotation head when a task has one. */
export function lossForwardFlops(config: RunConfig, featureSize: number): number {
  const { batchSize: b, hiddenSize: h } = config;
  const scores = 2 * b * featureSize * b;
  switch (config.rotationTask) {
    case 'none':
      return scores;
    case 'sender-predicts':
      return scores + 2 * b * featureSize * h + 2 * b * h * ROTATIONS;
    case 'receiver-predicts':
      return scores + 2 * b * h * h + 2 * b * h * ROTATIONS;
  }
}

/**
 * Returns how many batches of images the extractor encodes inside one step: both views when
 * it is learned (one when sender and receiver see the same clean images). A frozen extractor
 * with a feature cache encodes only noisy sender images, which never repeat. The count assumes
 * that every clean or rotated image fits in the cache, as in the benchmark.
 */
export function extractorPassesPerStep(config: RunConfig): number {
  const views = config.augmentation === 'none' ? 1 : 2;
  if (isExtractorTrainable(config.extractor) || config.featureCache === 'off') return views;
  return config.augmentation === 'noise' ? 1 : 0;
}

/** Returns the FLOPs of one training step of a VGG backbone, trained parts counted forward and backward. */
export function trainingStepFlops(config: RunConfig): StepFlops {
  if (config.backbone === 'mobilenetv2') throw new Error('FLOPs are counted for the VGG backbones only, not for mobilenetv2');
  const featureSize = featureSizeOf(config.backbone);
  const extractorFactor = isExtractorTrainable(config.extractor) ? TRAINING_FACTOR : 1;
  const extractor = extractorFactor * extractorPassesPerStep(config) * vggForwardFlops(config.backbone, config.batchSize);
  const sender = TRAINING_FACTOR * senderForwardFlops(config, featureSize);
  const receiver = TRAINING_FACTOR * receiverForwardFlops(config, featureSize);
  const loss = TRAINING_FACTOR * lossForwardFlops(config, featureSize);
  return { extractor, sender, receiver, loss, total: extractor + sender + receiver + loss };
}
