/**
 * Timing of the parts of one training step, for the benchmark.
 *
 * Backends such as WebGPU run kernels asynchronously, so the time between two calls measures
 * nothing until the results are waited for. A `StepPartTimer` waits for one element of each boundary's
 * tensors before it reads the clock. That synchronisation is overhead an ordinary step does not
 * have, so an instrumented step is slower than an uninstrumented one. On wasm, whose kernels run
 * synchronously, the difference is small.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Parts of a training step: assembling the batch, the feature extractor, the sender, the receiver,
 * the loss (scores, hinge loss, rotation task), and the optimiser (Adam's update and the batch
 * normalisation statistics). Each part counts its forward and its backward pass.
 */
export type StepPart = 'batch' | 'extractor' | 'sender' | 'receiver' | 'loss' | 'optimiser';

export const STEP_PARTS: readonly StepPart[] = ['batch', 'extractor', 'sender', 'receiver', 'loss', 'optimiser'];

/** Milliseconds spent in each part of a step. */
export type PartTimes = Record<StepPart, number>;

/** Returns a record with every part at 0 ms. */
export function emptyPartTimes(): PartTimes {
  return { batch: 0, extractor: 0, sender: 0, receiver: 0, loss: 0, optimiser: 0 };
}

/** Waits until one element of each tensor is computed, by reading it back synchronously. */
function waitFor(tensors: readonly tf.Tensor[]): void {
  for (const tensor of tensors) {
    if (tensor.size === 0) continue;
    const probe = tf.tidy(() => tf.slice(tf.reshape(tensor, [-1]), [0], [1]));
    probe.dataSync();
    probe.dispose();
  }
}

/**
 * Splits the wall-clock time of a step into parts. Each `lap` charges the time since the previous
 * lap to a part. In the backward pass, tensors wrapped by `backwardBoundary` charge the parts
 * that the gradient has just passed through when it reaches them.
 */
export class StepPartTimer {
  readonly times: PartTimes = emptyPartTimes();
  private last = performance.now();
  /** Part whose backward pass runs now; the last lap of a step charges it. */
  private backwardPart: StepPart = 'loss';

  /** Starts a new step: clears the times and starts the clock. */
  start(): void {
    for (const part of Object.keys(this.times) as StepPart[]) this.times[part] = 0;
    this.backwardPart = 'loss';
    this.last = performance.now();
  }

  /** Charges the time since the previous lap to `part`, once `tensors` are computed. */
  lap(part: StepPart, tensors: readonly tf.Tensor[] = []): void {
    waitFor(tensors);
    const now = performance.now();
    this.times[part] += now - this.last;
    this.last = now;
  }

  /** Charges the time since the previous lap to the part whose backward pass is running. */
  lapBackward(tensors: readonly tf.Tensor[] = []): void {
    this.lap(this.backwardPart, tensors);
  }

  /**
   * Returns a copy of x that, when its gradient is computed, charges the time since the previous
   * lap to `finished` (the part whose backward pass produced that gradient) and makes `next` the
   * part whose backward pass runs from then on.
   */
  backwardBoundary<T extends tf.Tensor>(x: T, finished: StepPart, next: StepPart): T {
    const marker = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      // customGrad passes the inputs and the save function as one rest parameter.
      const [input] = args as [tf.Tensor];
      return {
        value: tf.clone(input),
        gradFunc: (dy: tf.Tensor) => {
          if (this.backwardPart === finished) {
            this.lap(finished, [dy]);
            this.backwardPart = next;
          }
          return [tf.clone(dy)];
        },
      };
    });
    return marker(x) as T;
  }
}
