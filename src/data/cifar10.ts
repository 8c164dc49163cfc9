/**
 * CIFAR-10 in its official binary format, parsed into interleaved pixel arrays.
 *
 * A batch file (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`) is a run of 3,073-byte
 * records: 1 label byte (0-9), then the 1,024 red, 1,024 green and 1,024 blue values of one 32x32
 * image, each plane row by row. Pure code: no DOM or Node import, so it runs in the worker and in tests.
 */

/** Width and height of a CIFAR-10 image in pixels. */
export const IMAGE_SIZE = 32;

/** Colour channels per pixel (red, green, blue). */
export const CHANNELS = 3;

/** Pixel values of one image: 32 * 32 * 3 = 3,072. */
export const IMAGE_BYTES = IMAGE_SIZE * IMAGE_SIZE * CHANNELS;

/** Bytes of one record in a batch file: 1 label byte followed by the image's 3,072 pixel values. */
export const RECORD_BYTES = 1 + IMAGE_BYTES;

/** Records in one official batch file; no valid batch file contains more. */
export const MAX_RECORDS_PER_BATCH = 10_000;

/** Class names in label order: label 0 is airplane, label 9 is truck. */
export const CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** Number of classes, so labels run from 0 to NUM_CLASSES - 1. */
export const NUM_CLASSES = CLASS_NAMES.length;

/** A CIFAR-10 class name. */
export type ClassName = (typeof CLASS_NAMES)[number];

/**
 * Images with their labels, pixels in interleaved HWC order.
 *
 * Image i starts at `i * IMAGE_BYTES`. Channel c of the pixel in row y, column x is at
 * `i * IMAGE_BYTES + (y * IMAGE_SIZE + x) * CHANNELS + c`, so `pixels` uploads as a
 * `[count, 32, 32, 3]` tensor without a transpose.
 */
export interface ImageSet {
  /** Number of images. */
  count: number;
  /** Class label of each image, 0-9: `[count]`. */
  labels: Uint8Array;
  /** Pixel values 0-255: `[count, 32, 32, 3]` flattened. */
  pixels: Uint8Array;
}

/** A batch file that does not follow the CIFAR-10 binary format; the message names the file. */
export class Cifar10FormatError extends Error {
  /** Name of the rejected file, as given to the parser. */
  readonly fileName: string;

  constructor(fileName: string, message: string) {
    super(`${fileName}: ${message}`);
    this.name = 'Cifar10FormatError';
    this.fileName = fileName;
  }
}

const REPLACE_HINT =
  'Replace it with the file from the official cifar-10-binary.tar.gz ' +
  '(run `npm run setup-data` again, or pick the files again in the page).';

/**
 * Parses one CIFAR-10 batch file into labels and HWC pixels.
 *
 * Throws a `Cifar10FormatError` naming `fileName` when the file is empty, its size is not a whole
 * number of records, it has more than 10,000 records, or a label byte is above 9.
 */
export function parseCifar10Batch(bytes: Uint8Array, fileName: string): ImageSet {
  const count = validateBatchSize(bytes.length, fileName);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * IMAGE_BYTES);

  for (let i = 0; i < count; i++) {
    const recordStart = i * RECORD_BYTES;
    const label = bytes[recordStart] ?? 0;
    if (label >= NUM_CLASSES) {
      throw new Cifar10FormatError(
        fileName,
        `record ${i} (0-based) has label byte ${label}, but CIFAR-10 labels are 0-9. ` +
          `The file is not a CIFAR-10 batch (CIFAR-100 binary records, for example, have 2 label bytes). ` +
          REPLACE_HINT,
      );
    }
    labels[i] = label;
    planarToInterleaved(bytes, recordStart + 1, pixels, i * IMAGE_BYTES);
  }

  return { count, labels, pixels };
}

/** Returns the number of records in a batch file of `byteLength` bytes, or throws why it is invalid. */
function validateBatchSize(byteLength: number, fileName: string): number {
  if (byteLength === 0) {
    throw new Cifar10FormatError(
      fileName,
      `the file is empty (0 bytes), but a CIFAR-10 batch contains ${RECORD_BYTES}-byte records. ${REPLACE_HINT}`,
    );
  }

  const count = Math.floor(byteLength / RECORD_BYTES);
  const extraBytes = byteLength % RECORD_BYTES;
  if (extraBytes !== 0) {
    throw new Cifar10FormatError(
      fileName,
      `truncated or not a CIFAR-10 batch: ${byteLength} bytes is not a multiple of ${RECORD_BYTES} ` +
        `(${count} whole records and ${extraBytes} extra bytes). ${REPLACE_HINT}`,
    );
  }

  if (count > MAX_RECORDS_PER_BATCH) {
    throw new Cifar10FormatError(
      fileName,
      `oversized file: ${count} records (${byteLength} bytes), but a CIFAR-10 batch has at most ` +
        `${MAX_RECORDS_PER_BATCH}. Several batches may have been joined into one file. ` +
        `Use the separate data_batch_N.bin and test_batch.bin files.`,
    );
  }

  return count;
}

/**
 * Copies one image from planar order (all red, all green, all blue) at `source[sourceStart]` to
 * interleaved order (red, green, blue of each pixel) at `target[targetStart]`.
 */
function planarToInterleaved(
  source: Uint8Array,
  sourceStart: number,
  target: Uint8Array,
  targetStart: number,
): void {
  const planeSize = IMAGE_SIZE * IMAGE_SIZE;
  for (let c = 0; c < CHANNELS; c++) {
    const plane = source.subarray(sourceStart + c * planeSize, sourceStart + (c + 1) * planeSize);
    let targetIndex = targetStart + c;
    for (let p = 0; p < planeSize; p++) {
      target[targetIndex] = plane[p] ?? 0;
      targetIndex += CHANNELS;
    }
  }
}

/**
 * Concatenates image sets in order into one new set; an empty list gives an empty set.
 *
 * Throws a `RangeError` when a set's arrays do not match its `count`.
 */
export function concatImageSets(sets: readonly ImageSet[]): ImageSet {
  sets.forEach((set, index) => {
    if (set.labels.length !== set.count || set.pixels.length !== set.count * IMAGE_BYTES) {
      throw new RangeError(
        `image set ${index} is inconsistent: count ${set.count}, but ${set.labels.length} labels ` +
          `and ${set.pixels.length} pixel values (expected ${set.count} and ${set.count * IMAGE_BYTES})`,
      );
    }
  });

  const count = sets.reduce((total, set) => total + set.count, 0);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * IMAGE_BYTES);

  let offset = 0;
  for (const set of sets) {
    labels.set(set.labels, offset);
    pixels.set(set.pixels, offset * IMAGE_BYTES);
    offset += set.count;
  }

  return { count, labels, pixels };
}
