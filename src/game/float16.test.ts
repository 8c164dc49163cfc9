import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, toFloat16Bits } from './float16';

describe('float16', () => {
  it('encodes known values exactly', () => {
    expect(toFloat16Bits(0)).toBe(0x0000);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(Infinity)).toBe(0x7c00);
    expect(Number.isNaN(decodeFloat16([toFloat16Bits(NaN)])[0])).toBe(true);
  });

  it('rounds half to even', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: it rounds to the even mantissa, 1.
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('keeps relative error within 2^-11 in the normal range', () => {
    const values = Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
    const decoded = decodeFloat16(encodeFloat16(values));
    for (const [i, value] of values.entries()) {
      if (Math.abs(value) < 6.2e-5) continue;
      expect(Math.abs((decoded[i] as number) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11);
    }
  });
});
