/** Turning stored images into tensors. */
import * as tf from '@tensorflow/tfjs';

/** Bytes of one 32x32 RGB image. */
export const IMAGE_BYTES = 32 * 32 * 3;

/**
 * Gathers images from interleaved HWC bytes (image i at offset i * 3072) into a float tensor of
 * 0-255 pixels [indices.length, 32, 32, 3].
 */
export function pixelBatch(pixels: Uint8Array, indices: ArrayLike<number>): tf.Tensor4D {
  const values = new Float32Array(indices.length * IMAGE_BYTES);
  for (let b = 0; b < indices.length; b++) {
    const offset = (indices[b] as number) * IMAGE_BYTES;
    if (offset + IMAGE_BYTES > pixels.length) throw new Error(`image index ${indices[b]} is out of range`);
    values.set(pixels.subarray(offset, offset + IMAGE_BYTES), b * IMAGE_BYTES);
  }
  return tf.tensor4d(values, [indices.length, 32, 32, 3]);
}
