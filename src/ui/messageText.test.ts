import { describe, expect, it } from 'vitest';
import { EOS_SYMBOL, languageKind, messageText, tokenSymbol } from './messageText';

describe('tokenSymbol', () => {
  it('marks the end-of-sequence token', () => {
    expect(tokenSymbol(0)).toBe(EOS_SYMBOL);
  });

  it('gives the first hundred ids distinct syllables', () => {
    const symbols = Array.from({ length: 100 }, (_, i) => tokenSymbol(i + 1));
    expect(new Set(symbols).size).toBe(100);
    expect(symbols[0]).toBe('ba');
    expect(symbols[1]).toBe('be');
    expect(symbols[5]).toBe('da');
    expect(symbols[99]).toBe('shu');
  });

  it('numbers the syllables again beyond a hundred', () => {
    expect(tokenSymbol(101)).toBe('ba2');
    expect(tokenSymbol(205)).toBe('bu3');
  });
});

describe('messageText', () => {
  it('joins the symbols with spaces', () => {
    expect(messageText([1, 7, 0])).toBe(`ba de ${EOS_SYMBOL}`);
  });
});

describe('languageKind', () => {
  it('tells names, hashes and few messages apart', () => {
    expect(languageKind({ hashingIndex: 0, purity: 1 })).toBe('names');
    expect(languageKind({ hashingIndex: 1, purity: 1 })).toBe('hash');
    expect(languageKind({ hashingIndex: -0.5, purity: 0.1 })).toBe('few-messages');
    expect(languageKind({ hashingIndex: 0.45, purity: 0.9 })).toBe('between');
    expect(languageKind({ hashingIndex: Number.NaN, purity: 1 })).toBe('undetermined');
  });
});
