/**
 * Sender and receiver of Havrylov & Titov (2017), "Emergence of language with multi-agent games:
 * learning to communicate with sequences of symbols".
 */
import * as tf from '@tensorflow/tfjs';
import { type Channel, EOS_TOKEN, type GameConfig } from './config';
import { gumbelSoftmaxStraightThrough, relaxedSample } from './gumbel';
import { matMul } from './matmul';
import {
  type BatchNormParams,
  type BatchStatistics,
  type DenseParams,
  type LstmParams,
  type LstmState,
  type ParamStore,
  batchNorm,
  createBatchNorm,
  createDense,
  createLstm,
  dense,
  lstmStep,
} from './layers';

export interface SenderParams {
  featuresToHidden: DenseParams;
  featuresNorm: BatchNormParams;
  /** Input of the first LSTM step: [embeddingSize]. */
  startEmbedding: tf.Variable;
  lstm: LstmParams;
  hiddenToVocab: DenseParams;
  /** Token embeddings: [vocabSize, embeddingSize]. */
  embeddings: tf.Variable;
  /** Maps the LSTM state to the temperature when it is learned; null otherwise. */
  temperatureHead: DenseParams | null;
}

export interface ReceiverParams {
  embeddings: tf.Variable; // [vocabSize, embeddingSize]
  lstm: LstmParams;
  hiddenNorm: BatchNormParams;
  hiddenToFeatures: DenseParams;
}

/**
 * A batch of messages. Token t of message b is `tokens[t][b]`, one-hot over the vocabulary (soft
 * under the relaxed channel). `alive[t][b]` is 1 while no end-of-sequence token came before
 * position t, else 0. Under the Gumbel-softmax channels both carry gradient back to the sender.
 */
export interface Message {
  tokens: tf.Tensor2D[]; // maxLen x [batch, vocabSize]
  alive: tf.Tensor2D[]; // maxLen x [batch, 1]
  /** The sender's logits at each position, for REINFORCE: maxLen x [batch, vocabSize]. */
  logits: tf.Tensor2D[];
  /** Temperature of each game at each position: maxLen x [batch, 1]. */
  temperatures: tf.Tensor2D[];
}

/** Settings with which the sender turns logits into tokens at one step. */
export interface ChannelSettings {
  channel: Channel;
  /** Temperature of this step; under a learned temperature, its lower bound tau0. */
  temperature: number;
  /** Whether the temperature is tau0 + softplus(w . h + b) of the sender's LSTM state h. */
  learnedTemperature: boolean;
}

export function createSender(store: ParamStore, config: GameConfig, featureSize: number): SenderParams {
  const { hiddenSize, embeddingSize, vocabSize } = config;
  return {
    temperatureHead: config.temperatureMode === 'learned' ? createTemperatureHead(store, config) : null,
    featuresToHidden: createDense(store, 'sender/featuresToHidden', featureSize, hiddenSize),
    featuresNorm: createBatchNorm(store, 'sender/featuresNorm', hiddenSize),
    startEmbedding: store.create('sender/startEmbedding', [embeddingSize], store.rng.normalArray(embeddingSize, 1)),
    lstm: createLstm(store, 'sender/lstm', embeddingSize, hiddenSize),
    hiddenToVocab: createDense(store, 'sender/hiddenToVocab', hiddenSize, vocabSize),
    embeddings: store.create('sender/embeddings', [vocabSize, embeddingSize], store.rng.normalArray(vocabSize * embeddingSize, 1)),
  };
}

/**
 * Creates w (zero) and b of tau = tau0 + softplus(w . h + b), with b set so that the first
 * temperature is `config.temperature` whatever the state.
 */
function createTemperatureHead(store: ParamStore, config: GameConfig): DenseParams {
  const excess = config.temperature - config.minTemperature;
  if (!(excess > 0)) throw new Error('a learned temperature needs temperature > minTemperature');
  const inverseSoftplus = excess > 20 ? excess : Math.log(Math.expm1(excess));
  return {
    kernel: store.create('sender/temperature/kernel', [config.hiddenSize, 1], new Float32Array(config.hiddenSize)),
    bias: store.create('sender/temperature/bias', [1], Float32Array.of(inverseSoftplus)),
  };
}

export function createReceiver(store: ParamStore, config: GameConfig, featureSize: number): ReceiverParams {
  const { hiddenSize, embeddingSize, vocabSize } = config;
  return {
    embeddings: store.create('receiver/embeddings', [vocabSize, embeddingSize], store.rng.normalArray(vocabSize * embeddingSize, 1)),
    lstm: createLstm(store, 'receiver/lstm', embeddingSize, hiddenSize),
    hiddenNorm: createBatchNorm(store, 'receiver/hiddenNorm', hiddenSize),
    hiddenToFeatures: createDense(store, 'receiver/hiddenToFeatures', hiddenSize, featureSize),
  };
}

/**
 * Token draws: sampled with one Gumbel noise tensor [batch, vocabSize] per position, or greedy
 * (the most likely token at each position, as at evaluation, with no gradient through it).
 */
export type MessageNoise = { kind: 'sampled'; gumbel: tf.Tensor2D[] } | { kind: 'greedy'; maxLen: number };

/**
 * Produces a message about each image. Features [batch, featureSize] set the LSTM's initial
 * hidden state, and each step emits a token and feeds its embedding to the next step.
 */
export function sendMessage(
  p: SenderParams,
  features: tf.Tensor2D,
  noise: MessageNoise,
  settings: ChannelSettings,
  collected: BatchStatistics[] | null,
): Message {
  const maxLen = noise.kind === 'sampled' ? noise.gumbel.length : noise.maxLen;
  const batch = features.shape[0];
  const h0 = batchNorm(p.featuresNorm, dense(p.featuresToHidden, features), collected);
  let state: LstmState = { h: h0, c: tf.zerosLike(h0) };
  let input = tf.tile(tf.expandDims(p.startEmbedding, 0), [batch, 1]) as tf.Tensor2D;
  let alive = tf.ones([batch, 1]) as tf.Tensor2D;
  const message: Message = { tokens: [], alive: [], logits: [], temperatures: [] };
  for (let t = 0; t < maxLen; t++) {
    state = lstmStep(p.lstm, input, state);
    const logits = dense(p.hiddenToVocab, state.h);
    const temperature = temperatureOf(p, state.h, settings);
    const gumbel = noise.kind === 'sampled' ? (noise.gumbel[t] as tf.Tensor2D) : null;
    const token = gumbel === null ? greedyToken(logits) : sampleToken(logits, gumbel, temperature, settings.channel);
    message.tokens.push(token);
    message.alive.push(alive);
    message.logits.push(logits);
    message.temperatures.push(temperature);
    alive = tf.mul(alive, tf.sub(1, tf.slice(token, [0, EOS_TOKEN], [batch, 1])));
    input = matMul(token, p.embeddings as tf.Tensor2D);
  }
  return message;
}

/** Temperature [batch, 1] of one step: the step's value, or tau0 + softplus(w . h + b). */
function temperatureOf(p: SenderParams, h: tf.Tensor2D, settings: ChannelSettings): tf.Tensor2D {
  if (!settings.learnedTemperature || p.temperatureHead === null) return tf.fill([h.shape[0], 1], settings.temperature) as tf.Tensor2D;
  return tf.add(settings.temperature, tf.softplus(dense(p.temperatureHead, h))) as tf.Tensor2D;
}

function greedyToken(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.oneHot(tf.argMax(logits, 1), logits.shape[1]).toFloat() as tf.Tensor2D;
}

function sampleToken(logits: tf.Tensor2D, gumbel: tf.Tensor2D, temperature: tf.Tensor2D, channel: Channel): tf.Tensor2D {
  switch (channel) {
    case 'gumbel-straight-through':
      return gumbelSoftmaxStraightThrough(logits, gumbel, temperature);
    case 'gumbel-relaxed':
      return relaxedSample(logits, gumbel, temperature);
    case 'reinforce':
      // argmax(logits + g) is an exact sample of softmax(logits) (the Gumbel-max trick); no gradient passes.
      return greedyToken(tf.add(logits, gumbel) as tf.Tensor2D);
  }
}

/** The receiver's reading of a message. */
export interface Reading {
  /** Guess of the target's features: [batch, featureSize]. */
  guess: tf.Tensor2D;
  /** The LSTM's last hidden state, before batch normalisation: [batch, hiddenSize]. */
  hidden: tf.Tensor2D;
}

/**
 * Reads each message and returns the receiver's guess of the target's features:
 * [batch, featureSize]. The LSTM state stops changing after the end-of-sequence token.
 */
export function readMessage(p: ReceiverParams, message: Message, collected: BatchStatistics[] | null): tf.Tensor2D {
  return readMessageState(p, message, collected).guess;
}

/** Reads each message and returns the guess together with the LSTM's last hidden state. */
export function readMessageState(p: ReceiverParams, message: Message, collected: BatchStatistics[] | null): Reading {
  const first = message.tokens[0];
  if (first === undefined) throw new Error('a message needs at least one token');
  const hiddenSize = p.lstm.bias.shape[0] / 4;
  const zeros = tf.zeros([first.shape[0], hiddenSize]) as tf.Tensor2D;
  let state: LstmState = { h: zeros, c: zeros };
  for (const [t, token] of message.tokens.entries()) {
    const alive = message.alive[t] as tf.Tensor2D;
    const next = lstmStep(p.lstm, matMul(token, p.embeddings as tf.Tensor2D), state);
    state = { h: blend(alive, next.h, state.h), c: blend(alive, next.c, state.c) };
  }
  return { guess: dense(p.hiddenToFeatures, batchNorm(p.hiddenNorm, state.h, collected)), hidden: state.h };
}

/** Returns alive * next + (1 - alive) * previous. */
function blend(alive: tf.Tensor2D, next: tf.Tensor2D, previous: tf.Tensor2D): tf.Tensor2D {
  return tf.add(previous, tf.mul(alive, tf.sub(next, previous)));
}

/** Scores of every candidate for every game: guesses [games, F] x candidates [C, F] -> [games, C]. */
export function scoreCandidates(guesses: tf.Tensor2D, candidates: tf.Tensor2D): tf.Tensor2D {
  return matMul(guesses, tf.transpose(candidates));
}

/** Token ids of a message, read back: [batch][maxLen], with every token after end-of-sequence dropped. */
export async function messageTokenIds(message: Pick<Message, 'tokens'>): Promise<number[][]> {
  const idTensors = message.tokens.map((token) => tf.argMax(token, 1));
  const ids = await Promise.all(idTensors.map((id) => id.data()));
  for (const id of idTensors) id.dispose();
  const batch = ids[0]?.length ?? 0;
  const result: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const tokens: number[] = [];
    for (const position of ids) {
      const id = position[b] as number;
      tokens.push(id);
      if (id === EOS_TOKEN) break;
    }
    result.push(tokens);
  }
  return result;
}
