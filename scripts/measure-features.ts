/**
 * Measures two choices of the pretrained extractors on TF.js' wasm backend in Node:
 * - the size to which MobileNetV2 upscales CIFAR-10's 32x32 images. For each size it prints the
 *   time to encode a batch of 128 images and the accuracy of a nearest-class-mean probe, whose
 *   class means of L2-normalised training features classify the test images;
 * - the error of storing weights in float16: the relative L2 distance between the features of
 *   float32 and float16 weights, for MobileNetV2's ImageNet weights and VGG16's random ones (no
 *   VGG16 ImageNet weights exist on machines without internet).
 *
 * Usage: npm run measure-features -- [--data DIR] [--weights DIR] [--train N] [--test N] [--sizes 32,64,...]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { DEFAULT_RUN_CONFIG } from '../src/game/config';
import { type FeatureExtractor, MOBILENET_INPUT_SIZE, extractFeatures } from '../src/game/featureExtractor';
import { decodeFloat16, encodeFloat16 } from '../src/game/float16';
import { ReferentialGame } from '../src/game/game';
import { pixelBatch } from '../src/game/images';
import { loadPretrained } from '../src/game/pretrained';
import type { ImageSet } from '../src/data/cifar10';
import { DEFAULT_DATA_DIR, DEFAULT_WEIGHTS_DIR, diskWeightReader, loadDataDir, useWasm } from './experiment';

const BATCH = 128;

/** Encodes the first `count` images of a set: [count, featureSize], and the mean milliseconds per batch of 128. */
async function encode(extractor: FeatureExtractor, images: ImageSet, count: number): Promise<{ features: Float32Array; msPerBatch: number }> {
  const size = extractor.featureSize;
  const features = new Float32Array(count * size);
  let elapsed = 0;
  for (let start = 0; start < count; start += BATCH) {
    const indices = Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => start + i);
    const began = performance.now();
    const batch = tf.tidy(() => extractFeatures(extractor, pixelBatch(images.pixels, indices)));
    features.set(await batch.data(), start * size);
    elapsed += performance.now() - began;
    batch.dispose();
  }
  return { features, msPerBatch: (elapsed * BATCH) / count };
}

/** Accuracy of assigning each test vector the class whose mean normalised training vector is nearest (cosine). */
function nearestClassMean(train: Float32Array, trainLabels: Uint8Array, test: Float32Array, testLabels: Uint8Array, size: number): number {
  const normalise = (v: Float32Array): Float32Array => {
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  };
  const means = Array.from({ length: 10 }, () => new Float64Array(size));
  for (let i = 0; i < train.length / size; i++) {
    const v = normalise(train.subarray(i * size, (i + 1) * size));
    const mean = means[trainLabels[i] as number] as Float64Array;
    for (let j = 0; j < size; j++) mean[j] = (mean[j] as number) + (v[j] as number);
  }
  let right = 0;
  const tests = test.length / size;
  for (let i = 0; i < tests; i++) {
    const v = test.subarray(i * size, (i + 1) * size);
    const scores = means.map((mean) => mean.reduce((sum, m, j) => sum + m * (v[j] as number), 0) / (Math.hypot(...mean) || 1));
    if (scores.indexOf(Math.max(...scores)) === testLabels[i]) right++;
  }
  return right / tests;
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += ((a[i] as number) - (b[i] as number)) ** 2;
    norm += (a[i] as number) ** 2;
  }
  return Math.sqrt(diff / norm);
}

/** Rounds every weight of a layers model to float16 in place. */
function roundModelToFloat16(extractor: FeatureExtractor): void {
  if (extractor.kind !== 'mobilenetv2') return;
  for (const weight of extractor.model.weights) {
    const current = weight.read();
    weight.write(tf.tensor(decodeFloat16(encodeFloat16(current.dataSync() as Float32Array)), current.shape));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, weights: { type: 'string' }, train: { type: 'string', default: '2048' }, test: { type: 'string', default: '1024' }, sizes: { type: 'string', default: '32,64,96,128,160' } } });
  await useWasm();
  const data = await loadDataDir(values.data ?? DEFAULT_DATA_DIR);
  const trainCount = Number(values.train);
  const testCount = Number(values.test);
  const read = diskWeightReader(values.weights ?? DEFAULT_WEIGHTS_DIR);

  for (const side of values.sizes.split(',').map(Number)) {
    const pretrained = await loadPretrained('mobilenetv2', read);
    const game = new ReferentialGame({ ...DEFAULT_RUN_CONFIG, extractor: 'pretrained-fixed', backbone: 'mobilenetv2' }, pretrained);
    const extractor = { ...game.extractor, inputSize: side } as FeatureExtractor;
    const train = await encode(extractor, data.train, trainCount);
    const test = await encode(extractor, data.test, testCount);
    const accuracy = nearestClassMean(train.features, data.train.labels, test.features, data.test.labels, extractor.featureSize);
    let half = '';
    if (side === MOBILENET_INPUT_SIZE) {
      roundModelToFloat16(extractor);
      const rounded = await encode(extractor, data.test, testCount);
      const halfAccuracy = nearestClassMean(train.features, data.train.labels, rounded.features, data.test.labels, extractor.featureSize);
      half = `; float16 weights: relative feature error ${relativeError(test.features, rounded.features).toExponential(2)}, probe ${halfAccuracy.toFixed(3)}`;
    }
    console.log(`mobilenetv2 ${side}x${side}: ${train.msPerBatch.toFixed(0)} ms per 128 images, nearest-class-mean accuracy ${accuracy.toFixed(3)}${half}`);
    game.dispose();
  }

  const vgg = new ReferentialGame({ ...DEFAULT_RUN_CONFIG, backbone: 'vgg16' });
  const exact = await encode(vgg.extractor, data.test, BATCH);
  for (const variable of vgg.params.withPrefix('extractor/')) {
    variable.assign(tf.tensor(decodeFloat16(encodeFloat16(variable.dataSync() as Float32Array)), variable.shape));
  }
  const rounded = await encode(vgg.extractor, data.test, BATCH);
  console.log(`vgg16 (random weights) float16 weights: relative feature error ${relativeError(exact.features, rounded.features).toExponential(2)}`);
  vgg.dispose();
}

await main();
