/**
 * The seeded random number generator behind every random choice of a run: initialisation,
 * batch order and Gumbel noise. TF.js initialisers ignore seeds, so parameters are drawn here.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (1, 2, 3) start far apart.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Returns the generator's 32-bit state, to save a run. */
  getState(): number {
    return this.state;
  }

  /** Replaces the generator's state with one from `getState`, to continue a saved run. */
  setState(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) throw new Error(`a generator state is a 32-bit unsigned integer, got ${state}`);
    this.state = state;
  }

  /** Returns a float uniform in [0, 1) (mulberry32 step, 32 bits of state). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Returns an integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Returns a seed for a TF.js op that accepts one (uniform in [0, 2^31)). */
  seed(): number {
    return this.int(2147483647);
  }

  /** Returns a standard normal sample (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fills a new array with normal samples of the given standard deviation. */
  normalArray(size: number, std: number): Float32Array {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = this.normal() * std;
    return values;
  }

  /** Fills a new array with samples uniform in [-limit, limit). */
  uniformArray(size: number, limit: number): Float32Array {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (2 * this.next() - 1) * limit;
    return values;
  }

  /** Returns a random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const swap = order[i] as number;
      order[i] = order[j] as number;
      order[j] = swap;
    }
    return order;
  }
}
