import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG, configProblems } from './config';
import { EXTRACTOR_TABLE, ROTATION_TASK_TABLE } from './paperResults';
import { PRESETS, differencesFromPreset, findPreset, presetConfig } from './presets';

describe('presets', () => {
  it('cover every row of both published tables once', () => {
    const ids = PRESETS.map((preset) => preset.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...Object.keys(EXTRACTOR_TABLE), ...Object.keys(ROTATION_TASK_TABLE)].sort());
  });

  it.each([
    ['pretrained-clean', 'pretrained-fixed', 'none'],
    ['random-noise', 'random-frozen', 'noise'],
    ['learned-rotation', 'learned', 'rotation'],
    ['random-clean', 'random-frozen', 'none'],
  ] as const)('%s sets extractor %s and sender images %s', (id, extractor, augmentation) => {
    const config = presetConfig(findPreset(id) ?? expect.unreachable());
    expect(config.extractor).toBe(extractor);
    expect(config.augmentation).toBe(augmentation);
    expect(config.rotationTask).toBe('none');
    expect(config.backbone).toBe('vgg16');
  });

  it('sets the rotation tasks on rotated images with their published accuracy', () => {
    for (const id of ['sender-predicts', 'receiver-predicts'] as const) {
      const preset = findPreset(id) ?? expect.unreachable();
      const config = presetConfig(preset);
      expect(config.rotationTask).toBe(id);
      expect(config.augmentation).toBe('rotation');
      expect(preset.published.rotationAccuracy).toBe(ROTATION_TASK_TABLE[id].rotationAccuracy);
    }
  });

  it('keep the paper\u2019s game and a valid configuration', () => {
    for (const preset of PRESETS) {
      const config = presetConfig(preset);
      expect(configProblems(config)).toEqual([]);
      expect(config.vocabSize).toBe(100);
      expect(config.maxLen).toBe(5);
      expect(config.batchSize).toBe(128);
      expect(config.channel).toBe('gumbel-straight-through');
      expect(config.maxSteps).toBeGreaterThan(0);
    }
  });

  it('carry over machine settings and report changed ones', () => {
    const preset = findPreset('random-rotation') ?? expect.unreachable();
    const config = presetConfig(preset, { backend: 'wasm', featureCacheMB: 200 });
    expect(config.backend).toBe('wasm');
    expect(config.featureCacheMB).toBe(200);
    expect(differencesFromPreset(preset, config)).toEqual([]);
    expect(differencesFromPreset(preset, { ...config, backbone: 'narrow', maxSteps: 300, evalInterval: 7 })).toEqual(['backbone', 'maxSteps']);
    expect(differencesFromPreset(preset, { ...DEFAULT_RUN_CONFIG })).toContain('augmentation');
  });
});
