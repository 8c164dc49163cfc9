/**
 * Sender and receiver of Havrylov & Titov (2017), "Emergence of language with multi-agent games:
 * learning to communicate with sequences of symbols".
 */
import * as tf from '@tensorflow/tfjs';
import { EOS_TOKEN, type GameConfig } from './config';
import { gumbelSoftmaxStraightThrough } from './gumbel';
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
}

export interface ReceiverParams {
  embeddings: tf.Variable; // [vocabSize, embeddingSize]
  lstm: LstmParams;
  hiddenNorm: BatchNormParams;
  hiddenToFeatures: DenseParams;
}

/**
 * A batch of messages. Token t of message b is `tokens[t][b]`, one-hot over the vocabulary;
 * `alive[t][b]` is 1 while no end-of-sequence token came before position t, else 0. Both carry
 * the straight-through gradient back to the sender.
 */
export interface Message {
  tokens: tf.Tensor2D[]; // maxLen x [batch, vocabSize]
  alive: tf.Tensor2D[]; // maxLen x [batch, 1]
}

export function createSender(store: ParamStore, config: GameConfig, featureSize: number): SenderParams {
  const { hiddenSize, embeddingSize, vocabSize } = config;
  return {
    featuresToHidden: createDense(store, 'sender/featuresToHidden', featureSize, hiddenSize),
    featuresNorm: createBatchNorm(store, 'sender/featuresNorm', hiddenSize),
    startEmbedding: store.create('sender/startEmbedding', [embeddingSize], store.rng.normalArray(embeddingSize, 1)),
    lstm: createLstm(store, 'sender/lstm', embeddingSize, hiddenSize),
    hiddenToVocab: createDense(store, 'sender/hiddenToVocab', hiddenSize, vocabSize),
    embeddings: store.create('sender/embeddings', [vocabSize, embeddingSize], store.rng.normalArray(vocabSize * embeddingSize, 1)),
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
 * Produces a message about each image: features [batch, featureSize] set the LSTM's initial
 * hidden state; each step samples a token and feeds its embedding to the next step.
 * `gumbel` holds one noise tensor [batch, vocabSize] per position.
 */
export function sendMessage(
  p: SenderParams,
  features: tf.Tensor2D,
  gumbel: tf.Tensor2D[],
  temperature: number,
  collected: BatchStatistics[] | null,
): Message {
  const batch = features.shape[0];
  const h0 = batchNorm(p.featuresNorm, dense(p.featuresToHidden, features), collected);
  let state: LstmState = { h: h0, c: tf.zerosLike(h0) };
  let input = tf.tile(tf.expandDims(p.startEmbedding, 0), [batch, 1]) as tf.Tensor2D;
  let alive = tf.ones([batch, 1]) as tf.Tensor2D;
  const message: Message = { tokens: [], alive: [] };
  for (const noise of gumbel) {
    state = lstmStep(p.lstm, input, state);
    const token = gumbelSoftmaxStraightThrough(dense(p.hiddenToVocab, state.h), noise, temperature);
    message.tokens.push(token);
    message.alive.push(alive);
    alive = tf.mul(alive, tf.sub(1, tf.slice(token, [0, EOS_TOKEN], [batch, 1])));
    input = matMul(token, p.embeddings as tf.Tensor2D);
  }
  return message;
}

/**
 * Reads each message and returns the receiver's guess of the target's features:
 * [batch, featureSize]. The LSTM state stops changing after the end-of-sequence token.
 */
export function readMessage(p: ReceiverParams, message: Message, collected: BatchStatistics[] | null): tf.Tensor2D {
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
  return dense(p.hiddenToFeatures, batchNorm(p.hiddenNorm, state.h, collected));
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
export async function messageTokenIds(message: Message): Promise<number[][]> {
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
