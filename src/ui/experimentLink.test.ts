import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG, RUN_CONFIG_CHOICES, type RunConfig } from '../game/config';
import { ExperimentLinkError, experimentQuery, parseExperimentLink } from './experimentLink';
import { NUMERIC_RULES } from './store';

function problemsOf(link: string): string[] {
  try {
    parseExperimentLink(link);
  } catch (error) {
    if (error instanceof ExperimentLinkError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseExperimentLink', () => {
  it('reads every setting by name from a URL', () => {
    const config = parseExperimentLink('http://127.0.0.1:5173/?extractor=learned&augmentation=noise&noiseStd=0.2&seed=3&maxSteps=50');
    expect(config).toEqual({ ...DEFAULT_RUN_CONFIG, extractor: 'learned', augmentation: 'noise', noiseStd: 0.2, seed: 3, maxSteps: 50 });
  });

  it('accepts a bare query string', () => {
    expect(parseExperimentLink('?channel=reinforce').channel).toBe('reinforce');
    expect(parseExperimentLink('backbone=narrow').backbone).toBe('narrow');
  });

  it('knows every setting of a run', () => {
    const known = [...Object.keys(NUMERIC_RULES), ...Object.keys(RUN_CONFIG_CHOICES)].sort();
    expect(known).toEqual(Object.keys(DEFAULT_RUN_CONFIG).sort());
  });

  it('round-trips a configuration', () => {
    const config: RunConfig = { ...DEFAULT_RUN_CONFIG, rotationTask: 'sender-predicts', augmentation: 'rotation', temperature: 2.5, backend: 'wasm' };
    expect(parseExperimentLink(experimentQuery(config))).toEqual(config);
  });

  it('rejects unknown names, repeats and invalid values', () => {
    expect(problemsOf('?vocab=10')[0]).toMatch(/"vocab" is not a setting/);
    expect(problemsOf('?seed=1&seed=2')).toEqual(['"seed" is set more than once.']);
    expect(problemsOf('?batchSize=1.5')[0]).toMatch(/^batchSize: 1.5 is out of range|^batchSize: 1.5 is not a whole number/);
    expect(problemsOf('?learningRate=fast')[0]).toMatch(/learningRate: "fast" is not a number/);
    expect(problemsOf('?extractor=imagenet')[0]).toBe('extractor: "imagenet" is not one of pretrained-fixed, random-frozen, learned.');
  });

  it('rejects settings that cannot run together', () => {
    expect(problemsOf('?backbone=mobilenetv2&extractor=learned')[0]).toMatch(/MobileNetV2 is available only pretrained/);
    expect(problemsOf('?rotationTask=sender-predicts')[0]).toMatch(/needs rotated sender images/);
  });
});
