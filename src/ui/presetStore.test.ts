import { describe, expect, it } from 'vitest';
import { findPreset, presetConfig } from '../game/presets';
import type { EvalRecord } from '../worker/protocol';
import { createPlaygroundStore } from './store';

const record: EvalRecord = { step: 40, games: 128, commSuccess: 0.5, commSuccessStd: 0.5, top5Success: 0.9, targetClassInTop5: 1.2, targetClassAvgRank: 60 };

describe('presets in the store', () => {
  it('apply a preset\u2019s settings and keep the backend', () => {
    const store = createPlaygroundStore();
    store.getState().setChoice('backend', 'wasm');
    store.getState().editNumericField('seed', 'x');

    store.getState().applyPreset('learned-noise');

    const state = store.getState();
    const expected = presetConfig(findPreset('learned-noise') ?? expect.unreachable(), { backend: 'wasm' });
    expect(state.config).toEqual(expected);
    expect(state.configText.noiseStd).toBe('0.1');
    expect(state.configErrors).toEqual({});
    expect(state.presetId).toBe('learned-noise');
  });

  it('file a run\u2019s evaluations under its preset with the settings it changed', () => {
    const store = createPlaygroundStore();
    store.getState().applyPreset('random-clean');
    store.getState().setChoice('backbone', 'narrow');
    store.getState().runRequested(store.getState().config);
    store.getState().applyEvent({ type: 'eval', record });

    const result = store.getState().presetResults['random-clean'];
    expect(result?.record).toEqual(record);
    expect(result?.differences).toEqual(['backbone']);
  });

  it('file nothing for a run without a preset', () => {
    const store = createPlaygroundStore();
    store.getState().applyPreset('random-clean');
    store.getState().resetConfig();
    store.getState().runRequested(store.getState().config);
    store.getState().applyEvent({ type: 'eval', record });
    expect(store.getState().presetResults).toEqual({});
    expect(store.getState().runPresetId).toBeNull();
  });
});
