import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNELS,
  CLASS_NAMES,
  Cifar10FormatError,
  IMAGE_BYTES,
  IMAGE_SIZE,
  RECORD_BYTES,
  concatImageSets,
  parseCifar10Batch,
} from './cifar10';
import { makeBatch, sharedCifar10Dir } from './test-helpers';

/** Index of channel c of pixel (y, x) of image i in HWC pixels. */
function hwcIndex(i: number, y: number, x: number, c: number): number {
  return i * IMAGE_BYTES + (y * IMAGE_SIZE + x) * CHANNELS + c;
}

/** Index of channel c of pixel (y, x) of record i in the planar batch file. */
function planarIndex(i: number, y: number, x: number, c: number): number {
  return i * RECORD_BYTES + 1 + c * IMAGE_SIZE * IMAGE_SIZE + y * IMAGE_SIZE + x;
}

/** Runs `action`, expects a Cifar10FormatError, and returns it. */
function formatError(action: () => unknown): Cifar10FormatError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(Cifar10FormatError);
    return error as Cifar10FormatError; // Checked by the line above.
  }
  throw new Error('expected a Cifar10FormatError, but nothing was thrown');
}

describe('constants', () => {
  it('match the CIFAR-10 binary format', () => {
    expect(IMAGE_SIZE).toBe(32);
    expect(CHANNELS).toBe(3);
    expect(RECORD_BYTES).toBe(3073);
  });

  it('list class names in label order', async () => {
    const meta = await readFile(path.join(sharedCifar10Dir(), 'batches.meta.txt'), 'utf8');
    const names = meta.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    expect([...CLASS_NAMES]).toEqual(names);
    expect(CLASS_NAMES[0]).toBe('airplane');
    expect(CLASS_NAMES[9]).toBe('truck');
  });
});

describe('parseCifar10Batch on data_batch_1.bin', () => {
  let raw: Uint8Array;
  let set: ReturnType<typeof parseCifar10Batch>;

  beforeAll(async () => {
    raw = await readFile(path.join(sharedCifar10Dir(), 'data_batch_1.bin'));
    set = parseCifar10Batch(raw, 'data_batch_1.bin');
  });

  it('reads 10,000 records', () => {
    expect(set.count).toBe(10_000);
    expect(set.labels.length).toBe(10_000);
    expect(set.pixels.length).toBe(10_000 * 3072);
  });

  it('reads the known first record', () => {
    expect(set.labels[0]).toBe(6);
    expect(CLASS_NAMES[set.labels[0] ?? -1]).toBe('frog');
    const firstReds = Array.from({ length: 10 }, (_, x) => set.pixels[hwcIndex(0, 0, x, 0)]);
    expect(firstReds).toEqual([59, 43, 50, 68, 98, 119, 139, 145, 149, 149]);
  });

  it('counts labels as published', () => {
    const counts = new Array<number>(10).fill(0);
    for (const label of set.labels) counts[label] = (counts[label] ?? 0) + 1;
    expect(counts).toEqual([1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981]);
  });

  it('converts planar to HWC', () => {
    const samples: [number, number, number, number][] = [
      [0, 0, 0, 1],
      [0, 31, 31, 2],
      [1, 5, 7, 0],
      [1234, 17, 3, 1],
      [9999, 31, 0, 2],
    ];
    for (const [i, y, x, c] of samples) {
      expect(set.pixels[hwcIndex(i, y, x, c)], `image ${i} (${y}, ${x}) channel ${c}`).toBe(raw[planarIndex(i, y, x, c)]);
    }
  });

  it('matches the raw labels', () => {
    for (const i of [0, 1, 2, 5000, 9999]) expect(set.labels[i]).toBe(raw[i * RECORD_BYTES]);
  });
});

describe('parseCifar10Batch on test_batch.bin', () => {
  it('reads the known first record', async () => {
    const raw = await readFile(path.join(sharedCifar10Dir(), 'test_batch.bin'));
    const set = parseCifar10Batch(raw, 'test_batch.bin');
    expect(set.count).toBe(10_000);
    expect(set.labels[0]).toBe(3);
    const firstReds = Array.from({ length: 10 }, (_, x) => set.pixels[hwcIndex(0, 0, x, 0)]);
    expect(firstReds).toEqual([158, 159, 165, 166, 160, 156, 162, 159, 158, 159]);
  });
});

describe('parseCifar10Batch errors', () => {
  it('rejects an empty file', () => {
    const error = formatError(() => parseCifar10Batch(new Uint8Array(0), 'empty.bin'));
    expect(error.fileName).toBe('empty.bin');
    expect(error.message).toContain('empty.bin');
    expect(error.message).toContain('empty');
  });

  it('rejects a truncated file', () => {
    const bytes = makeBatch([1, 2, 3]).subarray(0, 2 * RECORD_BYTES + 100);
    const error = formatError(() => parseCifar10Batch(bytes, 'data_batch_2.bin'));
    expect(error.fileName).toBe('data_batch_2.bin');
    expect(error.message).toContain(
      'data_batch_2.bin: truncated or not a CIFAR-10 batch: 6246 bytes is not a multiple of 3073 (2 whole records and 100 extra bytes)',
    );
  });

  it('rejects a label byte above 9', () => {
    const bytes = makeBatch([0, 1, 2, 3]);
    bytes[2 * RECORD_BYTES] = 42;
    const error = formatError(() => parseCifar10Batch(bytes, 'bad_labels.bin'));
    expect(error.fileName).toBe('bad_labels.bin');
    expect(error.message).toContain('bad_labels.bin');
    expect(error.message).toContain('record 2');
    expect(error.message).toContain('label byte 42');
  });

  it('rejects an oversized file', () => {
    const bytes = new Uint8Array(10_001 * RECORD_BYTES);
    const error = formatError(() => parseCifar10Batch(bytes, 'joined.bin'));
    expect(error.fileName).toBe('joined.bin');
    expect(error.message).toContain('joined.bin');
    expect(error.message).toContain('oversized');
    expect(error.message).toContain('10001 records');
  });

  it('accepts exactly 10,000 records', () => {
    expect(parseCifar10Batch(new Uint8Array(10_000 * RECORD_BYTES), 'full.bin').count).toBe(10_000);
  });
});

describe('concatImageSets', () => {
  it('joins sets in order', () => {
    const first = parseCifar10Batch(makeBatch([1, 2]), 'a.bin');
    const second = parseCifar10Batch(makeBatch([7]), 'b.bin');
    const joined = concatImageSets([first, second]);
    expect(joined.count).toBe(3);
    expect(Array.from(joined.labels)).toEqual([1, 2, 7]);
    expect(joined.pixels.subarray(0, 2 * IMAGE_BYTES)).toEqual(first.pixels);
    expect(joined.pixels.subarray(2 * IMAGE_BYTES)).toEqual(second.pixels);
  });

  it('returns an empty set for no sets', () => {
    const joined = concatImageSets([]);
    expect(joined.count).toBe(0);
    expect(joined.labels.length).toBe(0);
    expect(joined.pixels.length).toBe(0);
  });

  it('rejects an inconsistent set', () => {
    const set = { count: 2, labels: new Uint8Array(2), pixels: new Uint8Array(IMAGE_BYTES) };
    expect(() => concatImageSets([set])).toThrow(/image set 0 is inconsistent/);
  });
});
