/**
 * Features of a frozen extractor, kept per image and rotation so that each is computed once.
 *
 * A frozen extractor maps the same image, turned the same way, to the same features, so training
 * can read them instead of running the extractor at every step. Entries are added as images are
 * first seen, up to a memory budget. Past it, further images are not stored and are recomputed
 * whenever they are drawn. Nothing is evicted, because batches visit every image once per epoch in
 * a new order, so a least-recently-used cache would drop each entry just before its next use.
 * float16 storage halves the memory for a relative rounding error of at most 2^-11.
 */
import { decodeFloat16, encodeFloat16 } from './float16';

/** Storage type of cached features. */
export type CacheStorage = 'float16' | 'float32';

/** Bytes of one page of entries, so that no single allocation grows with the budget. */
const PAGE_BYTES = 32 * 1024 * 1024;

export class FeatureCache {
  /** Entries the budget allows. */
  readonly capacity: number;
  private readonly entriesPerPage: number;
  private readonly slots = new Map<number, number>();
  private readonly pages: (Float32Array | Uint16Array)[] = [];

  /**
   * `featureSize` floats per entry; at most `maxBytes` bytes of storage. Keys are non-negative
   * integers chosen by the caller (for example image * 4 + quarter turns).
   */
  constructor(
    readonly featureSize: number,
    readonly storage: CacheStorage,
    maxBytes: number,
  ) {
    const entryBytes = featureSize * (storage === 'float16' ? 2 : 4);
    this.capacity = Math.max(0, Math.floor(maxBytes / entryBytes));
    this.entriesPerPage = Math.max(1, Math.floor(PAGE_BYTES / entryBytes));
  }

  /** Number of entries stored. */
  get size(): number {
    return this.slots.size;
  }

  /** Bytes allocated for entries so far. */
  get allocatedBytes(): number {
    return this.pages.reduce((total, page) => total + page.byteLength, 0);
  }

  has(key: number): boolean {
    return this.slots.has(key);
  }

  /** Copies the entry of `key` into `target` at `offset`; returns false when it is not stored. */
  read(key: number, target: Float32Array, offset: number): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    const { page, start } = this.locate(slot);
    const stored = page.subarray(start, start + this.featureSize);
    const out = target.subarray(offset, offset + this.featureSize);
    if (stored instanceof Uint16Array) decodeFloat16(stored, out);
    else out.set(stored);
    return true;
  }

  /** Stores `values` (featureSize floats) under `key`; returns false when the budget is spent. */
  write(key: number, values: Float32Array): boolean {
    if (values.length !== this.featureSize) throw new Error(`invalid cache entry: expected ${this.featureSize} features, got ${values.length}`);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      if (this.slots.size >= this.capacity) return false;
      slot = this.slots.size;
      this.slots.set(key, slot);
    }
    const { page, start } = this.locate(slot);
    if (page instanceof Uint16Array) encodeFloat16(values, page.subarray(start, start + this.featureSize));
    else page.set(values, start);
    return true;
  }

  private locate(slot: number): { page: Float32Array | Uint16Array; start: number } {
    const pageIndex = Math.floor(slot / this.entriesPerPage);
    while (this.pages.length <= pageIndex) {
      const entries = Math.min(this.entriesPerPage, this.capacity - this.pages.length * this.entriesPerPage);
      const length = entries * this.featureSize;
      this.pages.push(this.storage === 'float16' ? new Uint16Array(length) : new Float32Array(length));
    }
    return { page: this.pages[pageIndex] as Float32Array | Uint16Array, start: (slot % this.entriesPerPage) * this.featureSize };
  }
}
