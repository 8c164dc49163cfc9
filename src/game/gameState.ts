/**
 * Reads a game's full training state into snapshot tensors: parameters, Adam's state, the
 * REINFORCE baseline and the counters. Writing them back into a freshly built game of the same
 * settings makes it take the same next step as the saved game.
 */
import * as tf from '@tensorflow/tfjs';
import type { ReferentialGame } from './game';
import { type RunSnapshot, SnapshotError, type TensorValues, checkSnapshotShapes } from './snapshot';

/** A snapshot tensor: its shape and values. */
export type StoredTensor = { shape: number[]; values: TensorValues };

/**
 * Adam's bias-correction powers beta^(t+1). `setWeights` recomputes them with `pow`, which can
 * differ in the last bit from the running product, so they are saved and restored as they are.
 * The cast reaches fields that TF.js 4.22 declares private but keeps on every AdamOptimizer.
 */
interface AdamPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** One entry of Adam's `getWeights` and `setWeights` lists. */
interface AdamWeight {
  name: string;
  tensor: tf.Tensor;
}

function adamPowers(optimizer: tf.AdamOptimizer): AdamPowers {
  return optimizer as unknown as AdamPowers;
}

/** Reads the game's parameters, Adam's state and the baseline; the values are copies. */
export async function captureGameTensors(game: ReferentialGame): Promise<Map<string, StoredTensor>> {
  const tensors = new Map<string, StoredTensor>();
  const paramNameOf = new Map<string, string>();
  for (const [name, variable] of game.params.variables) {
    paramNameOf.set(variable.name, name);
    tensors.set(`param/${name}`, { shape: variable.shape.slice(), values: Float32Array.from(await variable.data()) });
  }

  const [iterations, ...moments] = await game.optimizer.getWeights();
  if (iterations !== undefined) {
    tensors.set('optimizer/iter', { shape: [], values: Int32Array.from(await iterations.tensor.data()) });
    iterations.tensor.dispose();
  }
  const { accBeta1, accBeta2 } = adamPowers(game.optimizer);
  tensors.set('optimizer/accBeta1', { shape: [], values: Float32Array.from(await accBeta1.data()) });
  tensors.set('optimizer/accBeta2', { shape: [], values: Float32Array.from(await accBeta2.data()) });
  for (const [index, moment] of moments.entries()) {
    // Adam names each moment after its variable: `<variable name>/m`, then `/v`, in that order.
    const kind = index < moments.length / 2 ? 'm' : 'v';
    const paramName = paramNameOf.get(moment.name.replace(/\/[mv]$/, ''));
    if (paramName === undefined) throw new Error(`Adam moment ${moment.name} matches no parameter of the game`);
    tensors.set(`optimizer/${kind}/${paramName}`, { shape: moment.tensor.shape.slice(), values: Float32Array.from(await moment.tensor.data()) });
  }
  tensors.set('game/baseline', { shape: [], values: Float32Array.from(await game.baseline.value.data()) });
  return tensors;
}

/**
 * Writes a snapshot's tensors into a game just built from the snapshot's settings, before its
 * first step. Every name and shape is checked first, so a mismatch throws a `SnapshotError`
 * and leaves the game as it was built.
 */
export async function restoreGameTensors(game: ReferentialGame, snapshot: RunSnapshot): Promise<void> {
  checkSnapshotShapes(snapshot, new Map([...game.params.variables].map(([name, variable]) => [name, variable.shape])));
  const momentNames = [...snapshot.tensors.keys()].filter((name) => name.startsWith('optimizer/m/') || name.startsWith('optimizer/v/'));
  const firstCount = momentNames.filter((name) => name.startsWith('optimizer/m/')).length;
  if (firstCount * 2 !== momentNames.length) {
    throw new SnapshotError(`The saved run has ${firstCount} first and ${momentNames.length - firstCount} second Adam moments; they must pair up. The file is damaged.`);
  }

  const first: AdamWeight[] = [];
  const second: AdamWeight[] = [];
  for (const [name, stored] of snapshot.tensors) {
    const moment = /^optimizer\/([mv])\/(.+)$/.exec(name);
    if (moment === null) continue;
    const variable = game.params.variables.get(moment[2] as string) as tf.Variable;
    const list = moment[1] === 'm' ? first : second;
    list.push({ name: `${variable.name}/${moment[1] as string}`, tensor: tf.tensor(stored.values, stored.shape, 'float32') });
  }

  for (const [name, variable] of game.params.variables) {
    const stored = snapshot.tensors.get(`param/${name}`) as StoredTensor;
    tf.tidy(() => variable.assign(tf.tensor(stored.values, stored.shape, 'float32')));
  }
  const iterations = snapshot.tensors.get('optimizer/iter');
  if (iterations !== undefined) {
    const iterTensor = tf.scalar(iterations.values[0] ?? 0, 'int32');
    // setWeights makes its own variables of the moments, so the tensors given to it can go.
    await game.optimizer.setWeights([{ name: 'iter', tensor: iterTensor }, ...first, ...second]);
    tf.dispose([iterTensor, ...first.map((t) => t.tensor), ...second.map((t) => t.tensor)]);
  } else {
    tf.dispose([...first.map((t) => t.tensor), ...second.map((t) => t.tensor)]);
  }
  const powers = adamPowers(game.optimizer);
  assignScalar(powers.accBeta1, snapshot.tensors.get('optimizer/accBeta1'));
  assignScalar(powers.accBeta2, snapshot.tensors.get('optimizer/accBeta2'));
  assignScalar(game.baseline.value, snapshot.tensors.get('game/baseline'));
  game.baseline.restoreStepCount(snapshot.progress.baselineSteps);
  game.restoreStepCount(snapshot.progress.step);
  game.rng.setState(snapshot.progress.rngState);
}

function assignScalar(variable: tf.Variable, stored: StoredTensor | undefined): void {
  if (stored === undefined) return;
  const value = stored.values[0];
  if (value === undefined) throw new SnapshotError('A scalar of the saved run has no value. The file is damaged.');
  tf.tidy(() => variable.assign(tf.scalar(value, variable.dtype)));
}
