import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG } from './config';
import { type RunSnapshot, SNAPSHOT_VERSION, SnapshotError, checkSnapshotShapes, decodeSnapshot, encodeSnapshot } from './snapshot';

function sample(): RunSnapshot {
  return {
    config: { ...DEFAULT_RUN_CONFIG, backbone: 'narrow', seed: 9 },
    progress: { step: 12, epochPosition: 8, elapsedMs: 345.5, rngState: 4_000_000_000, baselineSteps: 0 },
    history: { stepLog: [{ step: 12, loss: 0.5 }], evalLog: [{ step: 10, commSuccess: 0.25 }] },
    tensors: new Map([
      ['param/sender/dense/kernel', { shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 0, 1e-7, -0]) }],
      ['optimizer/iter', { shape: [], values: Int32Array.from([12]) }],
      ['optimizer/m/sender/dense/kernel', { shape: [2, 3], values: new Float32Array(6).fill(0.1) }],
      ['run/epochOrder', { shape: [4], values: Int32Array.from([3, 1, 0, 2]) }],
    ]),
  };
}

/** Rebuilds an encoded file with an edited JSON header and the same tensor data. */
function withHeader(bytes: ArrayBuffer, edit: (header: Record<string, unknown>) => Record<string, unknown> | string): ArrayBuffer {
  const length = new DataView(bytes).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 12, length))) as Record<string, unknown>;
  const edited = edit(header);
  const json = new TextEncoder().encode(typeof edited === 'string' ? edited : JSON.stringify(edited));
  const data = new Uint8Array(bytes, Math.ceil((12 + length) / 4) * 4);
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const rebuilt = new Uint8Array(dataStart + data.length);
  rebuilt.set(new Uint8Array(bytes, 0, 8));
  new DataView(rebuilt.buffer).setUint32(8, json.length, true);
  rebuilt.set(json, 12);
  rebuilt.set(data, dataStart);
  return rebuilt.buffer;
}

describe('snapshot file', () => {
  it('decodes what it encodes', () => {
    const original = sample();
    const decoded = decodeSnapshot(encodeSnapshot(original));
    expect(decoded.config).toEqual(original.config);
    expect(decoded.progress).toEqual(original.progress);
    expect(decoded.history).toEqual(original.history);
    expect([...decoded.tensors.keys()]).toEqual([...original.tensors.keys()]);
    for (const [name, tensor] of original.tensors) {
      const copy = decoded.tensors.get(name);
      expect(copy?.shape).toEqual(tensor.shape);
      expect(copy?.values).toEqual(tensor.values);
      expect(copy?.values.constructor).toBe(tensor.values.constructor);
    }
  });

  it('rejects a truncated file', () => {
    const bytes = encodeSnapshot(sample());
    expect(() => decodeSnapshot(bytes.slice(0, bytes.byteLength - 4))).toThrow(/truncated: tensor run\/epochOrder needs 16 bytes/);
    expect(() => decodeSnapshot(bytes.slice(0, 40))).toThrow(/truncated: its header needs/);
    expect(() => decodeSnapshot(bytes.slice(0, 5))).toThrow(/not a saved run/);
  });

  it('rejects another version and another format', () => {
    const bytes = encodeSnapshot(sample());
    expect(() => decodeSnapshot(withHeader(bytes, (h) => ({ ...h, version: SNAPSHOT_VERSION + 1 })))).toThrow(
      `The saved run is of version ${SNAPSHOT_VERSION + 1}; this playground reads version ${SNAPSHOT_VERSION} only.`,
    );
    expect(() => decodeSnapshot(withHeader(bytes, (h) => ({ ...h, format: 'other' })))).toThrow(/format is "other"/);
  });

  it('rejects a header that is not JSON', () => {
    const bytes = encodeSnapshot(sample());
    expect(() => decodeSnapshot(withHeader(bytes, () => '{"format": oops'))).toThrow(SnapshotError);
    expect(() => decodeSnapshot(withHeader(bytes, () => '{"format": oops'))).toThrow(/header is not valid JSON/);
  });

  it('rejects unknown tensor names, bad shapes and broken settings', () => {
    const bytes = encodeSnapshot(sample());
    const renamed = withHeader(bytes, (h) => ({ ...h, tensors: (h.tensors as { name: string }[]).map((t, i) => (i === 0 ? { ...t, name: 'x/y' } : t)) }));
    expect(() => decodeSnapshot(renamed)).toThrow('The saved run contains an unknown tensor "x/y".');
    const negative = withHeader(bytes, (h) => ({ ...h, tensors: (h.tensors as object[]).map((t, i) => (i === 0 ? { ...t, shape: [-2, 3] } : t)) }));
    expect(() => decodeSnapshot(negative)).toThrow(/invalid shape \[-2,3\]/);
    const oversized = withHeader(bytes, (h) => ({ ...h, tensors: (h.tensors as object[]).map((t, i) => (i === 3 ? { ...t, shape: [400] } : t)) }));
    expect(() => decodeSnapshot(oversized)).toThrow(/truncated: tensor run\/epochOrder needs 1600 bytes/);
    const badConfig = withHeader(bytes, (h) => ({ ...h, config: { ...(h.config as object), channel: 'telepathy' } }));
    expect(() => decodeSnapshot(badConfig)).toThrow(/setting channel is "telepathy", expected one of/);
  });

  it('checks every parameter against the game of its settings', () => {
    const snapshot = decodeSnapshot(encodeSnapshot(sample()));
    expect(() => checkSnapshotShapes(snapshot, new Map([['sender/dense/kernel', [2, 3]]]))).not.toThrow();
    expect(() => checkSnapshotShapes(snapshot, new Map([['sender/dense/kernel', [3, 3]]]))).toThrow(
      'Tensor param/sender/dense/kernel of the saved run has shape [2, 3], but the game expects [3, 3].',
    );
    expect(() => checkSnapshotShapes(snapshot, new Map([['receiver/dense/kernel', [2, 3]]]))).toThrow(/has no parameter sender\/dense\/kernel/);
    expect(() => checkSnapshotShapes(snapshot, new Map([['sender/dense/kernel', [2, 3]], ['sender/dense/bias', [3]]]))).toThrow(/lacks parameter sender\/dense\/bias/);
  });
});
