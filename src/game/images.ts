/** Turning stored images into tensors, rotated or not. */
import * as tf from '@tensorflow/tfjs';

/** Width and height of a CIFAR-10 image in pixels. */
const SIDE = 32;

/** Bytes of one 32x32 RGB image. */
export const IMAGE_BYTES = SIDE * SIDE * 3;

/** Number of distinct rotations of the rotation task: 0, 90, 180 and 270 degrees. */
export const ROTATIONS = 4;

/**
 * Gathers images from interleaved HWC bytes (image i at offset i * 3072) into a float tensor of
 * 0-255 pixels [indices.length, 32, 32, 3]. Image b is turned `quarterTurns[b]` times by 90 degrees
 * counterclockwise (as numpy's rot90) when `quarterTurns` is given.
 */
export function pixelBatch(pixels: Uint8Array, indices: ArrayLike<number>, quarterTurns?: ArrayLike<number>): tf.Tensor4D {
  const values = new Float32Array(indices.length * IMAGE_BYTES);
  for (let b = 0; b < indices.length; b++) {
    const offset = (indices[b] as number) * IMAGE_BYTES;
    if (offset + IMAGE_BYTES > pixels.length) throw new Error(`image index ${indices[b]} is out of range`);
    const image = pixels.subarray(offset, offset + IMAGE_BYTES);
    const turns = quarterTurns === undefined ? 0 : (quarterTurns[b] as number);
    if (turns === 0) values.set(image, b * IMAGE_BYTES);
    else rotateInto(image, turns, values.subarray(b * IMAGE_BYTES, (b + 1) * IMAGE_BYTES));
  }
  return tf.tensor4d(values, [indices.length, SIDE, SIDE, 3]);
}

/**
 * Writes one HWC image turned `quarterTurns` times by 90 degrees counterclockwise into `target`.
 * Turned once, output pixel (y, x) is input pixel (x, 31 - y).
 */
export function rotateInto(image: ArrayLike<number>, quarterTurns: number, target: { [index: number]: number }): void {
  if (!Number.isInteger(quarterTurns) || quarterTurns < 0 || quarterTurns >= ROTATIONS) {
    throw new Error(`a rotation is 0 to 3 quarter turns, got ${quarterTurns}`);
  }
  const last = SIDE - 1;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const [sourceY, sourceX] = sourceOf(y, x, quarterTurns, last);
      const from = (sourceY * SIDE + sourceX) * 3;
      const to = (y * SIDE + x) * 3;
      target[to] = image[from] as number;
      target[to + 1] = image[from + 1] as number;
      target[to + 2] = image[from + 2] as number;
    }
  }
}

/** Returns the input pixel that lands on output pixel (y, x) after the rotation. */
function sourceOf(y: number, x: number, quarterTurns: number, last: number): [number, number] {
  switch (quarterTurns) {
    case 1:
      return [x, last - y];
    case 2:
      return [last - y, last - x];
    case 3:
      return [last - x, y];
    default:
      return [y, x];
  }
}
