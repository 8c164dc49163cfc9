/**
 * Runs one experiment headless, in Node on TF.js' wasm backend, with the game code and training
 * loop of the page (`TrainingRun`), and writes its configuration, metric history and final
 * evaluation as JSON.
 *
 * Usage: npm run experiment -- --preset <name or link> [--steps N] [--seed S] [--out FILE] [options]
 * Run with --help for every option.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isCifar10BatchName } from '../src/data/archive';
import { type Cifar10Data, loadCifar10 } from '../src/data/load';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../src/game/config';
import { type PretrainedWeights, type WeightFileReader, loadPretrained, pretrainedBackboneOf } from '../src/game/pretrained';
import { PRESETS, type Preset, findPreset } from '../src/game/presets';
import type { PublishedResult } from '../src/game/paperResults';
import { parseExperimentLink } from '../src/ui/experimentLink';
import { parseNumericField } from '../src/game/settingRules';
import type { EvalRecord, StepRecord, WorkerEvent } from '../src/worker/protocol';
import { TrainingRun } from '../src/worker/run';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Folder into which `npm run setup-data` puts CIFAR-10. */
export const DEFAULT_DATA_DIR = path.join(repoRoot, 'public', 'data', 'cifar10');

/** Folder into which `npm run setup-weights` puts pretrained weights. */
export const DEFAULT_WEIGHTS_DIR = path.join(repoRoot, 'public', 'weights');

/** The experiment to run and the folders to read from. */
export interface ExperimentOptions {
  /** A preset name, or an experiment link (`?field=value&...` or a URL with such a query). */
  preset: string;
  /** Settings applied after the preset's, as `field=value`. */
  settings?: string[];
  steps?: string;
  seed?: string;
  dataDir?: string;
  weightsDir?: string;
  /** Receives one line per evaluation and per stage, without a trailing newline. */
  log?: (line: string) => void;
}

/** The JSON an experiment writes. */
export interface ExperimentResult {
  preset: string | null;
  link: string | null;
  config: RunConfig;
  backend: string;
  data: string;
  startedAt: string;
  /** Wall-clock time of the whole run, loading included. */
  elapsedMs: number;
  steps: StepRecord[];
  evals: EvalRecord[];
  final: EvalRecord | null;
  /** Figures of the preset's row in Mihai & Hare (2019); null for a link. */
  published: PublishedResult | null;
  errors: string[];
}

/**
 * Resolves the configuration: the preset's (or the link's), then each `field=value` setting, then
 * `steps` (as maxSteps) and `seed`. Throws naming the first invalid part.
 */
export function resolveConfig(options: Pick<ExperimentOptions, 'preset' | 'settings' | 'steps' | 'seed'>): { config: RunConfig; preset: Preset | null } {
  const preset = findPreset(options.preset) ?? null;
  const isLink = options.preset.includes('?') || options.preset.includes('=');
  if (preset === null && !isLink) {
    throw new Error(`unknown preset "${options.preset}"; the presets are ${PRESETS.map((p) => p.id).join(', ')}, or give an experiment link such as "?extractor=learned"`);
  }
  let config = preset === null ? parseExperimentLink(options.preset) : { ...DEFAULT_RUN_CONFIG, ...preset.settings };
  const overrides = [...(options.settings ?? [])];
  if (options.steps !== undefined) overrides.push(`maxSteps=${options.steps}`);
  if (options.seed !== undefined) overrides.push(`seed=${options.seed}`);
  if (overrides.length > 0) config = parseExperimentLink(`?${overrides.map(encodeSetting).join('&')}`, config);
  if (config.maxSteps === 0) throw new Error('a headless run needs an end: give --steps N (N > 0)');
  return { config, preset };
}

function encodeSetting(setting: string): string {
  const equals = setting.indexOf('=');
  if (equals <= 0) throw new Error(`--set expects field=value, got "${setting}"`);
  return `${encodeURIComponent(setting.slice(0, equals))}=${encodeURIComponent(setting.slice(equals + 1))}`;
}

/** Reads the CIFAR-10 batch files of a folder (the `setup-data` output or a cifar-10-batches-bin folder). */
export async function loadDataDir(dataDir: string): Promise<Cifar10Data> {
  const names = (await readdir(dataDir).catch(() => [])).filter(isCifar10BatchName).sort();
  if (names.length === 0) {
    throw new Error(`no CIFAR-10 batch files in ${dataDir}; run \`npm run setup-data\`, or give --data <folder with data_batch_N.bin and test_batch.bin>`);
  }
  const files = await Promise.all(names.map(async (name) => ({ name, bytes: toArrayBuffer(await readFile(path.join(dataDir, name))) })));
  return loadCifar10({ kind: 'files', files });
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Returns a reader of the files of a weights folder on disk. */
export function diskWeightReader(weightsDir: string): WeightFileReader {
  return async (relativePath) => {
    const file = path.join(weightsDir, ...relativePath.split('/'));
    try {
      return toArrayBuffer(await readFile(file));
    } catch {
      throw new Error(`pretrained weights file ${file} not found; run \`npm run setup-weights -- vgg16\` or \`-- mobilenetv2\`, or give --weights <folder>`);
    }
  };
}

/** Runs one experiment to its last step and returns its records. */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const log = options.log ?? (() => undefined);
  const startedAt = new Date();
  const { config, preset } = resolveConfig(options);
  await useWasm();
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const data = await loadDataDir(dataDir);
  log(`Loaded ${data.train.count} training and ${data.test.count} test images from ${dataDir}`);
  const pretrained = await loadWeights(config, options.weightsDir ?? DEFAULT_WEIGHTS_DIR);

  const result: ExperimentResult = {
    preset: preset?.id ?? null,
    link: preset === null ? options.preset : null,
    config,
    backend: tf.getBackend(),
    data: data.sourceLabel,
    startedAt: startedAt.toISOString(),
    elapsedMs: 0,
    steps: [],
    evals: [],
    final: null,
    published: preset?.published ?? null,
    errors: [],
  };
  const run = new TrainingRun(config, data, (event) => collect(result, event, log), pretrained);
  await run.run();
  result.final = result.evals[result.evals.length - 1] ?? null;
  result.elapsedMs = Date.now() - startedAt.getTime();
  return result;
}

async function loadWeights(config: RunConfig, weightsDir: string): Promise<PretrainedWeights | null> {
  const backbone = pretrainedBackboneOf(config);
  return backbone === null ? null : loadPretrained(backbone, diskWeightReader(weightsDir));
}

function collect(result: ExperimentResult, event: WorkerEvent, log: (line: string) => void): void {
  switch (event.type) {
    case 'steps':
      result.steps.push(...event.records);
      return;
    case 'eval': {
      result.evals.push(event.record);
      const r = event.record;
      const rotation = r.rotationAccuracy === undefined ? '' : `, rotation ${r.rotationAccuracy.toFixed(3)}`;
      log(`step ${r.step}: success ${r.commSuccess.toFixed(3)} (± ${r.commSuccessStd.toFixed(2)}), top-5 ${r.top5Success.toFixed(3)}, class in top 5 ${r.targetClassInTop5.toFixed(2)}, class rank ${r.targetClassAvgRank.toFixed(2)}${rotation} (${r.games} games)`);
      return;
    }
    case 'error':
      result.errors.push(event.message);
      log(`error: ${event.message}`);
      return;
    default:
      return;
  }
}

let wasmReady = false;

/** Activates TF.js' wasm backend from the installed package, once. */
export async function useWasm(): Promise<void> {
  if (wasmReady) return;
  setWasmPaths(path.join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js wasm backend failed to initialise');
  await tf.ready();
  wasmReady = true;
}

const USAGE = `Usage: npm run experiment -- --preset <name or link> [options]

Trains one experiment headless on TF.js' wasm backend and writes its configuration, metric
history and final evaluation as JSON.

Options:
  --preset <name>    A row of Mihai & Hare's tables (--list prints them), or an experiment link:
                     "?field=value&..." or a URL with such a query, settings by RunConfig name.
  --steps <n>        Training steps (sets maxSteps; required when the preset or link has none).
  --seed <s>         Seed of the run.
  --set <f=v>        Overrides one setting after the preset's, e.g. --set backbone=narrow (repeatable).
  --out <file>       Writes the JSON there (default: standard output).
  --data <dir>       Folder with data_batch_N.bin and test_batch.bin (default: public/data/cifar10).
  --weights <dir>    Folder of pretrained weights (default: public/weights).
  --list             Prints the presets and exits.
  -h, --help         Prints this help.`;

/** Output streams of the command line; replaceable in tests. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Options of the command line, as `parseArgs` returns them. */
interface CommandValues {
  preset?: string;
  steps?: string;
  seed?: string;
  set?: string[];
  out?: string;
  data?: string;
  weights?: string;
  list?: boolean;
  help?: boolean;
}

/** Parses the arguments; returns the options, or the exit code after printing help, the presets or an error. */
function parseCommand(argv: readonly string[], io: CommandIo): CommandValues | number {
  let values: CommandValues;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        preset: { type: 'string' },
        steps: { type: 'string' },
        seed: { type: 'string' },
        set: { type: 'string', multiple: true },
        out: { type: 'string' },
        data: { type: 'string' },
        weights: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.stderr.write(`${describe(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.list === true) {
    io.stdout.write(`${PRESETS.map((preset) => `${preset.id.padEnd(20)} ${preset.label}`).join('\n')}\n`);
    return 0;
  }
  if (values.preset === undefined) {
    io.stderr.write(`missing --preset\n\n${USAGE}\n`);
    return 2;
  }
  const steps = values.steps === undefined ? undefined : parseNumericField('maxSteps', values.steps);
  if (steps !== undefined && (!steps.ok || steps.value === 0)) {
    io.stderr.write(`--steps: expected a whole number from 1, got "${values.steps}"\n`);
    return 2;
  }
  return values;
}

/** Runs the command line with `argv` and returns the exit code: 0 done, 1 failed, 2 invalid arguments. */
export async function main(argv: readonly string[], io: CommandIo = process): Promise<number> {
  const values = parseCommand(argv, io);
  if (typeof values === 'number') return values;
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const resolve = (location: string | undefined): string | undefined => (location === undefined ? undefined : path.resolve(cwd, location));
  try {
    const result = await runExperiment({
      preset: values.preset ?? '',
      settings: values.set,
      steps: values.steps,
      seed: values.seed,
      dataDir: resolve(values.data),
      weightsDir: resolve(values.weights),
      log: (line) => io.stderr.write(`${line}\n`),
    });
    const json = `${JSON.stringify(result, null, 2)}\n`;
    const out = resolve(values.out);
    if (out === undefined) {
      io.stdout.write(json);
    } else {
      await writeFile(out, json);
      io.stderr.write(`Wrote ${out}\n`);
    }
    return result.errors.length > 0 ? 1 : 0;
  } catch (error) {
    io.stderr.write(`experiment failed: ${describe(error)}\n`);
    return 1;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
