import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBatch, makeTempDir } from '../src/data/test-helpers';
import { DEFAULT_RUN_CONFIG } from '../src/game/config';
import { EXTRACTOR_TABLE } from '../src/game/paperResults';
import { type ExperimentResult, main, resolveConfig } from './experiment';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Creates a folder with a tiny training batch (24 images) and test batch (16 images). */
async function tinyData(): Promise<string> {
  const temp = await makeTempDir('experiment-test');
  cleanups.push(temp.remove);
  const dataDir = path.join(temp.dir, 'data');
  await mkdir(dataDir);
  await writeFile(path.join(dataDir, 'data_batch_1.bin'), makeBatch(Array.from({ length: 24 }, (_, i) => i % 10)));
  await writeFile(path.join(dataDir, 'test_batch.bin'), makeBatch(Array.from({ length: 16 }, (_, i) => (i * 3) % 10)));
  return temp.dir;
}

/** Settings that shrink a preset to toy size. */
const TINY_SETTINGS = ['backbone=narrow', 'batchSize=8', 'evalGames=16', 'evalInterval=2', 'hiddenSize=16', 'embeddingSize=8', 'vocabSize=10', 'maxLen=2'];

function recordingIo(): { io: { stdout: { write(text: string): void }; stderr: { write(text: string): void } }; err: () => string } {
  const err: string[] = [];
  return { io: { stdout: { write: () => undefined }, stderr: { write: (text) => void err.push(text) } }, err: () => err.join('') };
}

describe('experiment runner', () => {
  it('writes valid JSON for a tiny preset', async () => {
    const dir = await tinyData();
    const out = path.join(dir, 'result.json');
    const recorded = recordingIo();
    const args = ['--preset', 'random-rotation', '--steps', '3', '--seed', '5', '--data', path.join(dir, 'data'), '--out', out, ...TINY_SETTINGS.flatMap((setting) => ['--set', setting])];

    expect(await main(args, recorded.io)).toBe(0);

    const result = JSON.parse(await readFile(out, 'utf8')) as ExperimentResult;
    expect(result.preset).toBe('random-rotation');
    expect(result.config).toMatchObject({ extractor: 'random-frozen', augmentation: 'rotation', backbone: 'narrow', maxSteps: 3, seed: 5, batchSize: 8 });
    expect(result.backend).toBe('wasm');
    expect(result.steps.map((record) => record.step)).toEqual([1, 2, 3]);
    expect(result.evals.map((record) => record.step)).toEqual([0, 2, 3]);
    expect(result.final).toEqual(result.evals[2]);
    expect(result.final?.games).toBe(16);
    expect(result.published).toEqual(EXTRACTOR_TABLE['random-rotation']);
    expect(result.errors).toEqual([]);
    expect(recorded.err()).toMatch(/step 3: success/);
  });

  it('accepts an experiment link in place of a preset', () => {
    const { config, preset } = resolveConfig({ preset: 'http://127.0.0.1:5173/?extractor=learned&maxSteps=20', settings: ['seed=9'] });
    expect(preset).toBeNull();
    expect(config).toEqual({ ...DEFAULT_RUN_CONFIG, extractor: 'learned', maxSteps: 20, seed: 9 });
  });

  it('rejects an unknown preset, an invalid setting and a run without end', async () => {
    expect(() => resolveConfig({ preset: 'vgg-clean' })).toThrow(/unknown preset "vgg-clean"; the presets are pretrained-clean/);
    expect(() => resolveConfig({ preset: 'random-clean', settings: ['backbone=resnet'] })).toThrow(/backbone: "resnet" is not one of/);
    expect(() => resolveConfig({ preset: '?seed=2' })).toThrow(/needs an end: give --steps N/);
    const recorded = recordingIo();
    expect(await main(['--preset', 'random-clean', '--steps', 'ten'], recorded.io)).toBe(2);
    expect(recorded.err()).toMatch(/--steps: expected a whole number from 1, got "ten"/);
  });
});
