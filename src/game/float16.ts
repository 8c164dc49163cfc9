/**
 * IEEE 754 half-precision (float16) encoding, for weights files and the feature cache: 10 bits of
 * mantissa keep about 3 significant decimal digits, at half the memory of float32.
 */

const float32 = new Float32Array(1);
const bits32 = new Uint32Array(float32.buffer);

/** Returns the float16 bits nearest to `value` (round half to even; overflow gives infinity). */
export function toFloat16Bits(value: number): number {
  float32[0] = value;
  const x = bits32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // NaN or infinity
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half: shift the mantissa, with its implicit leading 1, right.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    return sign | roundShift(full, shift);
  }
  // A carry out of the mantissa correctly bumps the exponent, up to infinity.
  return sign | ((halfExponent << 10) + roundShift(mantissa, 13));
}

/** Returns value >> shift rounded half to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  if (rest > half || (rest === half && (kept & 1) === 1)) return kept + 1;
  return kept;
}

/** Float32 value of every float16 bit pattern, built on first use. */
let decodeTable: Float32Array | null = null;

function table(): Float32Array {
  if (decodeTable !== null) return decodeTable;
  decodeTable = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) decodeTable[bits] = decodeSlow(bits);
  return decodeTable;
}

function decodeSlow(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Encodes float32 values as float16 bits. */
export function encodeFloat16(values: ArrayLike<number>, target: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  for (let i = 0; i < values.length; i++) target[i] = toFloat16Bits(values[i] as number);
  return target;
}

/** Decodes float16 bits into float32 values. */
export function decodeFloat16(bits: ArrayLike<number>, target: Float32Array = new Float32Array(bits.length)): Float32Array {
  const values = table();
  for (let i = 0; i < bits.length; i++) target[i] = values[bits[i] as number] as number;
  return target;
}
