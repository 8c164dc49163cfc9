import { describe, expect, it } from 'vitest';
import { IMAGE_BYTES, pixelBatch, rotateInto } from './images';

/** Returns an image whose pixel (y, x) has channels [y, x, 7]. */
function coordinateImage(): Uint8Array {
  const image = new Uint8Array(IMAGE_BYTES);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) image.set([y, x, 7], (y * 32 + x) * 3);
  }
  return image;
}

function pixelAt(image: ArrayLike<number>, y: number, x: number): number[] {
  const at = (y * 32 + x) * 3;
  return [image[at] as number, image[at + 1] as number, image[at + 2] as number];
}

describe('rotateInto', () => {
  it('turns counterclockwise like numpy rot90', () => {
    const image = coordinateImage();
    const turned = new Uint8Array(IMAGE_BYTES);
    rotateInto(image, 1, turned);
    // A quarter turn counterclockwise moves the top-right corner to the top-left.
    expect(pixelAt(turned, 0, 0)).toEqual([0, 31, 7]);
    expect(pixelAt(turned, 31, 0)).toEqual([0, 0, 7]);
    expect(pixelAt(turned, 5, 9)).toEqual([9, 26, 7]);
  });

  it('returns to the original after four quarter turns', () => {
    const image = coordinateImage();
    let current = image;
    for (let turn = 0; turn < 4; turn++) {
      const next = new Uint8Array(IMAGE_BYTES);
      rotateInto(current, 1, next);
      current = next;
    }
    expect(current).toEqual(image);
  });

  it('turns twice as two quarter turns', () => {
    const image = coordinateImage();
    const once = new Uint8Array(IMAGE_BYTES);
    const twice = new Uint8Array(IMAGE_BYTES);
    const half = new Uint8Array(IMAGE_BYTES);
    rotateInto(image, 1, once);
    rotateInto(once, 1, twice);
    rotateInto(image, 2, half);
    expect(half).toEqual(twice);
  });

  it('rejects a rotation outside 0-3', () => {
    expect(() => rotateInto(coordinateImage(), 4, new Uint8Array(IMAGE_BYTES))).toThrow(/0 to 3 quarter turns/);
  });
});

describe('pixelBatch with rotations', () => {
  it('turns each image by its own label', async () => {
    const images = new Uint8Array(3 * IMAGE_BYTES);
    for (let i = 0; i < 3; i++) images.set(coordinateImage().map((v) => (v + i) % 256), i * IMAGE_BYTES);
    const turns = [3, 0, 2];
    const batch = pixelBatch(images, [0, 1, 2], turns);
    const values = await batch.data();
    batch.dispose();
    for (const [b, quarterTurns] of turns.entries()) {
      const expected = new Uint8Array(IMAGE_BYTES);
      rotateInto(images.subarray(b * IMAGE_BYTES, (b + 1) * IMAGE_BYTES), quarterTurns, expected);
      expect(Array.from(values.subarray(b * IMAGE_BYTES, (b + 1) * IMAGE_BYTES))).toEqual(Array.from(expected));
    }
  });
});
