/**
 * Parameters and the small layers the agents are built from: dense, batch normalisation and an
 * LSTM cell. Parameters are drawn from the run's seeded generator.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from './matmul';
import type { Rng } from './random';

/**
 * Named variables of a model, so that optimisers, saving and tests can address them.
 * Variables get TF.js' generated names; `name` is our stable path such as `sender/lstm/kernel`.
 */
export class ParamStore {
  readonly variables = new Map<string, tf.Variable>();

  constructor(readonly rng: Rng) {}

  /** Creates a variable from initial values; `trainable` false keeps it out of the optimiser. */
  create(name: string, shape: number[], values: Float32Array, trainable = true): tf.Variable {
    if (this.variables.has(name)) throw new Error(`parameter ${name} is created twice`);
    // The variable keeps its own reference to the values, so the initial tensor can go.
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    this.variables.set(name, variable);
    return variable;
  }

  /** Variables with `trainable` set, in creation order. */
  trainable(): tf.Variable[] {
    return [...this.variables.values()].filter((v) => v.trainable);
  }

  /** Variables whose name starts with a prefix. */
  withPrefix(prefix: string): tf.Variable[] {
    return [...this.variables].filter(([name]) => name.startsWith(prefix)).map(([, v]) => v);
  }

  /** Total number of scalar parameters. */
  size(): number {
    let total = 0;
    for (const v of this.variables.values()) total += v.size;
    return total;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

export interface DenseParams {
  kernel: tf.Variable; // [inputSize, outputSize]
  bias: tf.Variable; // [outputSize]
}

/** Creates a dense layer with Glorot-uniform kernel and zero bias. */
export function createDense(
  store: ParamStore,
  name: string,
  inputSize: number,
  outputSize: number,
  trainable = true,
): DenseParams {
  const limit = Math.sqrt(6 / (inputSize + outputSize));
  return {
    kernel: store.create(`${name}/kernel`, [inputSize, outputSize], store.rng.uniformArray(inputSize * outputSize, limit), trainable),
    bias: store.create(`${name}/bias`, [outputSize], new Float32Array(outputSize), trainable),
  };
}

export function dense(p: DenseParams, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(matMul(x, p.kernel as tf.Tensor2D), p.bias) as tf.Tensor2D;
}

/**
 * Creates a He-normal weight (std sqrt(2 / fanIn)), suited to a layer followed by a ReLU.
 * A convolution's filter has fanIn = kernelSize^2 * inputChannels.
 */
export function heNormal(store: ParamStore, name: string, shape: number[], fanIn: number, trainable: boolean): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  return store.create(name, shape, store.rng.normalArray(size, Math.sqrt(2 / fanIn)), trainable);
}

export interface BatchNormParams {
  gamma: tf.Variable; // [size]
  beta: tf.Variable; // [size]
  movingMean: tf.Variable; // [size], not trained
  movingVariance: tf.Variable; // [size], not trained
}

/** Momentum of the moving statistics, as in PyTorch's BatchNorm1d default (0.1). */
const BATCH_NORM_MOMENTUM = 0.1;
const BATCH_NORM_EPSILON = 1e-5;

export function createBatchNorm(store: ParamStore, name: string, size: number): BatchNormParams {
  return {
    gamma: store.create(`${name}/gamma`, [size], new Float32Array(size).fill(1)),
    beta: store.create(`${name}/beta`, [size], new Float32Array(size)),
    movingMean: store.create(`${name}/movingMean`, [size], new Float32Array(size), false),
    movingVariance: store.create(`${name}/movingVariance`, [size], new Float32Array(size).fill(1), false),
  };
}

/** Statistics of one training batch, to fold into the moving averages after the step. */
export interface BatchStatistics {
  params: BatchNormParams;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Normalises x: [batch, size] with the batch's own statistics while training (recording them in
 * `collected`), or with the moving averages at evaluation.
 */
export function batchNorm(p: BatchNormParams, x: tf.Tensor2D, collected: BatchStatistics[] | null): tf.Tensor2D {
  if (collected === null) {
    return tf.batchNorm(x, p.movingMean, p.movingVariance, p.beta, p.gamma, BATCH_NORM_EPSILON) as tf.Tensor2D;
  }
  const { mean, variance } = tf.moments(x, 0);
  collected.push({ params: p, mean: tf.keep(mean as tf.Tensor1D), variance: tf.keep(variance as tf.Tensor1D) });
  return tf.batchNorm(x, mean, variance, p.beta, p.gamma, BATCH_NORM_EPSILON) as tf.Tensor2D;
}

/** Folds a step's batch statistics into the moving averages and disposes them. */
export function updateMovingStatistics(collected: BatchStatistics[]): void {
  for (const { params, mean, variance } of collected) {
    tf.tidy(() => {
      params.movingMean.assign(tf.add(tf.mul(params.movingMean, 1 - BATCH_NORM_MOMENTUM), tf.mul(mean, BATCH_NORM_MOMENTUM)));
      params.movingVariance.assign(
        tf.add(tf.mul(params.movingVariance, 1 - BATCH_NORM_MOMENTUM), tf.mul(variance, BATCH_NORM_MOMENTUM)),
      );
    });
    mean.dispose();
    variance.dispose();
  }
  collected.length = 0;
}

export interface LstmParams {
  /** Input and recurrent weights stacked: [inputSize + hiddenSize, 4 * hiddenSize], gates i, g, f, o. */
  kernel: tf.Variable;
  bias: tf.Variable; // [4 * hiddenSize]
}

/** Creates an LSTM cell with Glorot-uniform weights and forget-gate bias 1 (Jozefowicz et al., 2015). */
export function createLstm(store: ParamStore, name: string, inputSize: number, hiddenSize: number): LstmParams {
  const rows = inputSize + hiddenSize;
  const limit = Math.sqrt(6 / (rows + 4 * hiddenSize));
  const bias = new Float32Array(4 * hiddenSize);
  bias.fill(1, 2 * hiddenSize, 3 * hiddenSize);
  return {
    kernel: store.create(`${name}/kernel`, [rows, 4 * hiddenSize], store.rng.uniformArray(rows * 4 * hiddenSize, limit)),
    bias: store.create(`${name}/bias`, [4 * hiddenSize], bias),
  };
}

export interface LstmState {
  h: tf.Tensor2D; // [batch, hiddenSize]
  c: tf.Tensor2D; // [batch, hiddenSize]
}

/** Runs one LSTM step with a single matrix product for all four gates. */
export function lstmStep(p: LstmParams, x: tf.Tensor2D, state: LstmState): LstmState {
  const z = tf.add(matMul(tf.concat([x, state.h], 1), p.kernel as tf.Tensor2D), p.bias);
  const [i, g, f, o] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const c = tf.add(tf.mul(tf.sigmoid(f), state.c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
  const h = tf.mul(tf.sigmoid(o), tf.tanh(c)) as tf.Tensor2D;
  return { h, c };
}
