/**
 * Experiment links: a URL whose query string sets `RunConfig` settings by name, for example
 * `?extractor=learned&augmentation=noise&noiseStd=0.2&seed=3`. Settings left out keep their base
 * value. Every setting is validated as the settings panel validates it.
 *
 * The format is provisional: `parseExperimentLink` is the one place that reads it, so a later
 * format replaces this function alone.
 */
import { DEFAULT_RUN_CONFIG, RUN_CONFIG_CHOICES, type RunConfig, type RunConfigChoice, configProblems } from '../game/config';
import { NUMERIC_RULES, type NumericField, parseNumericField } from '../game/settingRules';

/** An experiment link that cannot be used; the message lists every problem found. */
export class ExperimentLinkError extends Error {
  constructor(
    readonly problems: string[],
    link: string,
  ) {
    super(`invalid experiment link ${JSON.stringify(link)}: ${problems.join(' ')}`);
    this.name = 'ExperimentLinkError';
  }
}

function isNumericField(key: string): key is NumericField {
  return Object.hasOwn(NUMERIC_RULES, key);
}

function isChoiceField(key: string): key is RunConfigChoice {
  return Object.hasOwn(RUN_CONFIG_CHOICES, key);
}

/** Returns the query string of a link: the part after '?' of a URL, or the whole text without one. */
function queryOf(link: string): string {
  const trimmed = link.trim();
  const start = trimmed.indexOf('?');
  const query = start === -1 ? trimmed : trimmed.slice(start + 1);
  const hash = query.indexOf('#');
  return hash === -1 ? query : query.slice(0, hash);
}

/** Maximum length of a link that is read, in characters. A longer link is ignored whole. */
export const MAX_LINK_CHARS = 4096;

/** Settings read from a link, and what was wrong with it. */
export interface LinkReading {
  config: RunConfig;
  /** One sentence per rejected setting; empty when every setting was used. */
  problems: string[];
}

/**
 * Returns `base` with every valid setting named in the link's query string. An unknown, repeated
 * or invalid setting is skipped, so it keeps its value from `base`, and is listed in `problems`.
 * When the settings read cannot run together, the whole of `base` is returned.
 */
export function readExperimentLink(link: string, base: RunConfig = DEFAULT_RUN_CONFIG): LinkReading {
  if (link.length > MAX_LINK_CHARS) {
    return { config: { ...base }, problems: [`The link is ${link.length} characters long, over the maximum of ${MAX_LINK_CHARS}, so it was ignored.`] };
  }
  const config: RunConfig = { ...base };
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [key, value] of new URLSearchParams(queryOf(link))) {
    if (seen.has(key)) {
      problems.push(`"${key}" is set more than once.`);
      continue;
    }
    seen.add(key);
    const problem = applySetting(config, key, value);
    if (problem !== null) problems.push(problem);
  }
  const combination = configProblems(config);
  if (combination.length > 0) return { config: { ...base }, problems: [...problems, ...combination] };
  return { config, problems };
}

/**
 * Returns `base` with the settings named in the link's query string. Throws an
 * `ExperimentLinkError` for an unknown or repeated name, an invalid value, or a combination of
 * settings that cannot run.
 */
export function parseExperimentLink(link: string, base: RunConfig = DEFAULT_RUN_CONFIG): RunConfig {
  const { config, problems } = readExperimentLink(link, base);
  if (problems.length > 0) throw new ExperimentLinkError(problems, link);
  return config;
}

/** Sets one named setting in `config`; returns what is wrong with it, or null. */
function applySetting(config: RunConfig, key: string, value: string): string | null {
  if (isNumericField(key)) {
    const parsed = parseNumericField(key, value);
    if (!parsed.ok) return `${key}: ${parsed.message}`;
    config[key] = parsed.value;
    return null;
  }
  if (isChoiceField(key)) return applyChoice(config, key, value);
  const known = [...Object.keys(NUMERIC_RULES), ...Object.keys(RUN_CONFIG_CHOICES)].sort().join(', ');
  return `"${key}" is not a setting; the settings are ${known}.`;
}

function applyChoice<K extends RunConfigChoice>(config: RunConfig, key: K, value: string): string | null {
  // The keys of each label record are exactly the values of its setting.
  const options = Object.keys(RUN_CONFIG_CHOICES[key]) as RunConfig[K][];
  const option = options.find((candidate) => candidate === value);
  if (option === undefined) return `${key}: "${value}" is not one of ${options.join(', ')}.`;
  config[key] = option;
  return null;
}

/**
 * Writes a configuration as a link query string that `parseExperimentLink` reads back. Settings
 * equal to `base` are left out, except the seed, which a link always states.
 */
export function experimentQuery(config: RunConfig, base: RunConfig = DEFAULT_RUN_CONFIG): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(config) as (keyof RunConfig)[]) {
    if (config[key] !== base[key] || key === 'seed') params.set(key, String(config[key]));
  }
  return `?${params.toString()}`;
}
