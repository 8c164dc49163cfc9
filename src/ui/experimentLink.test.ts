import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG, RUN_CONFIG_CHOICES, type RunConfig, configProblems } from '../game/config';
import { ExperimentLinkError, MAX_LINK_CHARS, experimentQuery, parseExperimentLink, readExperimentLink } from './experimentLink';
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

/** Any value a numeric setting accepts, as the settings panel validates it. */
function numericValue(field: keyof typeof NUMERIC_RULES): fc.Arbitrary<number> {
  const rule = NUMERIC_RULES[field];
  if (rule.integer) return fc.integer({ min: Math.ceil(rule.min + (rule.minExclusive ? 1 : 0)), max: rule.max });
  return fc.double({ min: rule.min, max: rule.max, minExcluded: rule.minExclusive, noNaN: true, noDefaultInfinity: true });
}

/** Any run configuration whose every setting is valid on its own. */
const anyConfig: fc.Arbitrary<RunConfig> = fc.record({
  ...Object.fromEntries(Object.keys(NUMERIC_RULES).map((field) => [field, numericValue(field as keyof typeof NUMERIC_RULES)])),
  ...Object.fromEntries(Object.entries(RUN_CONFIG_CHOICES).map(([field, labels]) => [field, fc.constantFrom(...Object.keys(labels))])),
}) as fc.Arbitrary<unknown> as fc.Arbitrary<RunConfig>; // fc.record cannot type a record built from entries

describe('experiment link round trip', () => {
  it('restores every setting of any runnable configuration', () => {
    fc.assert(
      fc.property(anyConfig, (config) => {
        fc.pre(configProblems(config).length === 0);
        expect(parseExperimentLink(`http://127.0.0.1:5173/${experimentQuery(config)}`)).toEqual(config);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the seed and the settings that differ from the defaults', () => {
    expect(experimentQuery(DEFAULT_RUN_CONFIG)).toBe(`?seed=${DEFAULT_RUN_CONFIG.seed}`);
    expect(experimentQuery({ ...DEFAULT_RUN_CONFIG, seed: 7, backbone: 'narrow' })).toBe('?backbone=narrow&seed=7');
  });
});

describe('readExperimentLink on hostile links', () => {
  it('keeps the defaults for prototype keys', () => {
    const { config, problems } = readExperimentLink('?__proto__=x&constructor=y&prototype=z&seed=4');
    expect(config).toEqual({ ...DEFAULT_RUN_CONFIG, seed: 4 });
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/"__proto__" is not a setting/);
  });

  it('treats markup as an unknown value', () => {
    const { config, problems } = readExperimentLink('?backbone=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E');
    expect(config.backbone).toBe(DEFAULT_RUN_CONFIG.backbone);
    expect(problems).toEqual([`backbone: "<img src=x onerror=alert(1)>" is not one of ${Object.keys(RUN_CONFIG_CHOICES.backbone).join(', ')}.`]);
  });

  it('replaces each invalid value by its default and keeps the rest', () => {
    const { config, problems } = readExperimentLink('?seed=-3&learningRate=1e400&batchSize=NaN&maxLen=3&temperature=');
    expect(config).toEqual({ ...DEFAULT_RUN_CONFIG, maxLen: 3 });
    expect(problems).toHaveLength(4);
  });

  it('ignores a link over the maximum length', () => {
    const { config, problems } = readExperimentLink(`?seed=5&pad=${'x'.repeat(MAX_LINK_CHARS)}`);
    expect(config).toEqual(DEFAULT_RUN_CONFIG);
    expect(problems[0]).toMatch(/over the maximum/);
  });

  it('falls back to the defaults when settings cannot run together', () => {
    const { config, problems } = readExperimentLink('?rotationTask=sender-predicts&seed=9');
    expect(config).toEqual(DEFAULT_RUN_CONFIG);
    expect(problems[0]).toMatch(/needs rotated sender images/);
  });

  it('survives malformed percent encoding', () => {
    const { config } = readExperimentLink('?seed=%E0%A4%A&backbone=%ZZ');
    expect(config).toEqual(DEFAULT_RUN_CONFIG);
  });
});
