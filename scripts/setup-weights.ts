/**
 * Puts pretrained ImageNet weights into `public/weights/` for the app and the headless runner.
 *
 * vgg16: Keras' `vgg16_weights_tf_dim_ordering_tf_kernels.h5` (528 MB, MD5-checked when
 * downloaded), converted for 32x32 inputs (fc1 folded, see scripts/keras-vgg16.ts) and written as
 * a weights manifest with float16 shards (67 MB; `--dtype float32` keeps full precision, 134 MB).
 * mobilenetv2: the TF.js layers model of MobileNetV2 0.35 without its classifier (1.6 MB), copied.
 *
 * Sources, in priority order: `--from <path>`, the environment variable (VGG16_WEIGHTS_H5 or
 * MOBILENET_V2_DIR), a valid copy already in the output folder, then a download. The manifest or
 * model description is written last, so an interrupted setup is never taken for a valid one.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  MOBILENET_MODEL_NAME,
  type PretrainedBackbone,
  VGG_MANIFEST_NAME,
  WEIGHTS_FOLDERS,
  type WeightsDtype,
  encodeNamedWeights,
  parseWeightsManifest,
} from '../src/game/pretrained';
import { readKerasVgg16 } from './keras-vgg16';

/** Keras' public download of the VGG16 ImageNet weights (the keras applications release v0.1). */
export const VGG16_URL = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels.h5';

/** MD5 of that file, as Keras' `get_file` checks it. */
export const VGG16_MD5 = '64373286793e3c8b2b4e3219cbf3544b';

/** The public TF.js layers model of MobileNetV2 0.35 without its classifier, as TF.js image tools load it. */
export const MOBILENET_V2_URL =
  'https://storage.googleapis.com/teachable-machine-models/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top/model.json';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Folder the app serves weights from (`/weights/` in the page). */
export const DEFAULT_WEIGHTS_DIR = path.join(repoRoot, 'public', 'weights');

/** Environment variable that names a local copy, per backbone. */
export const SOURCE_VARIABLES: Record<PretrainedBackbone, string> = { vgg16: 'VGG16_WEIGHTS_H5', mobilenetv2: 'MOBILENET_V2_DIR' };

/** Milliseconds without a received byte after which a download is abandoned. */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Options of `setupWeights`. */
export interface SetupWeightsOptions {
  backbone: PretrainedBackbone;
  /** `--from`: the .h5 file (vgg16), or the folder with model.json (mobilenetv2). */
  from?: string;
  /** Value of the backbone's environment variable; same forms as `from`. */
  fromEnvironment?: string;
  /** Download address when no local source applies. Default: VGG16_URL or MOBILENET_V2_URL. */
  url?: string;
  /** Weights folder; the backbone's files go into its subfolder. Default: public/weights. */
  outDir?: string;
  /** Storage of the converted VGG16 weights. Default: float16. */
  dtype?: WeightsDtype;
  /** MD5 the downloaded VGG16 file must have. Default: VGG16_MD5. */
  expectedMd5?: string;
  idleTimeoutMs?: number;
  /** Receives one line per step, without a trailing newline. */
  log?: (line: string) => void;
}

/** Source that `setupWeights` used. */
export type WeightsSource = 'from' | 'environment' | 'existing' | 'download';

/** A failed setup step; the message names what failed and what to do. */
export class SetupWeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupWeightsError';
  }
}

/** Sets up one backbone's weights from the first source that applies and returns which it was. */
export async function setupWeights(options: SetupWeightsOptions): Promise<{ source: WeightsSource; folder: string }> {
  const folder = path.join(options.outDir ?? DEFAULT_WEIGHTS_DIR, WEIGHTS_FOLDERS[options.backbone]);
  const log = options.log ?? (() => undefined);
  const local = options.from ?? (options.fromEnvironment === '' ? undefined : options.fromEnvironment);
  if (local !== undefined) {
    const source: WeightsSource = options.from !== undefined ? 'from' : 'environment';
    log(`Reading ${options.backbone} weights from ${local}`);
    await installFrom(options, local, folder, log);
    return { source, folder };
  }
  const problem = await existingProblem(options.backbone, folder);
  if (problem === null) {
    log(`${options.backbone} weights already present in ${folder}; delete that folder to set them up again.`);
    return { source: 'existing', folder };
  }
  log(`Setting up ${options.backbone} weights: ${problem}`);
  await installDownload(options, folder, log);
  return { source: 'download', folder };
}

async function installFrom(options: SetupWeightsOptions, location: string, folder: string, log: (line: string) => void): Promise<void> {
  switch (options.backbone) {
    case 'vgg16':
      return writeVgg16(location, folder, options.dtype ?? 'float16', log);
    case 'mobilenetv2': {
      const isFile = (await stat(location).catch(() => null))?.isFile() === true;
      const modelPath = isFile ? location : path.join(location, MOBILENET_MODEL_NAME);
      const read = (name: string) => readLocal(path.join(path.dirname(modelPath), name));
      return writeLayersModel(await readLayersModel(read, modelPath), folder, log);
    }
  }
}

async function installDownload(options: SetupWeightsOptions, folder: string, log: (line: string) => void): Promise<void> {
  switch (options.backbone) {
    case 'vgg16': {
      const url = options.url ?? VGG16_URL;
      await mkdir(path.dirname(folder), { recursive: true });
      const tempDir = await mkdtemp(path.join(path.dirname(folder), '.vgg16-download-'));
      try {
        const h5Path = path.join(tempDir, 'vgg16.h5.part');
        log(`Downloading ${url}`);
        const md5 = await downloadToFile(url, h5Path, options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
        const expected = (options.expectedMd5 ?? VGG16_MD5).toLowerCase();
        if (md5 !== expected) throw new SetupWeightsError(`MD5 mismatch for ${url}: got ${md5}, expected ${expected}. The download was deleted; run the command again, or give --from <file.h5>.`);
        log(`MD5 checked (${md5}); converting`);
        return await writeVgg16(h5Path, folder, options.dtype ?? 'float16', log);
      } finally {
        await rm(tempDir, { recursive: true, force: true });
      }
    }
    case 'mobilenetv2': {
      const url = options.url ?? MOBILENET_V2_URL;
      log(`Downloading ${url} and its weights`);
      const read = (name: string) => fetchBytes(new URL(name, url).href, options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
      return writeLayersModel(await readLayersModel(read, url), folder, log);
    }
  }
}

/** Converts a Keras VGG16 .h5 file and writes its manifest and shards into `folder`. */
async function writeVgg16(h5Path: string, folder: string, dtype: WeightsDtype, log: (line: string) => void): Promise<void> {
  if ((await stat(h5Path).catch(() => null)) === null) throw new SetupWeightsError(`${h5Path} not found. Give the path of vgg16_weights_tf_dim_ordering_tf_kernels.h5.`);
  const weights = await readKerasVgg16(h5Path);
  const { manifest, shards } = encodeNamedWeights(weights, dtype, `Keras VGG16 ImageNet weights (${path.basename(h5Path)}), fc1 folded for 32x32 inputs, ${dtype}`);
  await writeFolder(folder, shards, VGG_MANIFEST_NAME, `${JSON.stringify(manifest, null, 1)}\n`);
  const bytes = [...shards.values()].reduce((total, shard) => total + shard.byteLength, 0);
  log(`Wrote ${weights.size} weights (${(bytes / 1e6).toFixed(1)} MB, ${dtype}) in ${shards.size} shards to ${folder}`);
}

/** A TF.js layers model read into memory: its description and its weight files. */
interface LayersModelFiles {
  modelJson: string;
  files: Map<string, Uint8Array>;
}

/** Reads model.json and the weight files it lists, and checks that their sizes match the listed weights. */
async function readLayersModel(read: (name: string) => Promise<Uint8Array>, origin: string): Promise<LayersModelFiles> {
  const modelJson = new TextDecoder().decode(await read(MOBILENET_MODEL_NAME));
  let parsed: unknown;
  try {
    parsed = JSON.parse(modelJson);
  } catch {
    throw new SetupWeightsError(`${origin} is not JSON; expected a TF.js layers model.json.`);
  }
  const manifest = parseWeightsManifest(parsed);
  const files = new Map<string, Uint8Array>();
  for (const group of manifest.weightsManifest) for (const name of group.paths) files.set(name, await read(name));
  const expected = manifest.weightsManifest.flatMap((group) => group.weights).reduce((total, spec) => total + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  const found = [...files.values()].reduce((total, file) => total + file.byteLength, 0);
  if (found !== expected) throw new SetupWeightsError(`${origin}: the weight files hold ${found} bytes, but model.json lists ${expected}.`);
  return { modelJson, files };
}

async function writeLayersModel(model: LayersModelFiles, folder: string, log: (line: string) => void): Promise<void> {
  await writeFolder(folder, model.files, MOBILENET_MODEL_NAME, model.modelJson);
  log(`Wrote ${MOBILENET_MODEL_NAME} and ${[...model.files.keys()].join(', ')} to ${folder}`);
}

/** Writes data files, then the description file last; files of an earlier setup that the new one lacks are deleted. */
async function writeFolder(folder: string, files: Map<string, Uint8Array>, descriptionName: string, description: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const descriptionPath = path.join(folder, descriptionName);
  await rm(descriptionPath, { force: true });
  for (const [name, bytes] of files) await writeFile(path.join(folder, name), bytes);
  for (const name of await readdir(folder)) {
    if (!files.has(name) && name !== descriptionName) await rm(path.join(folder, name), { recursive: true, force: true });
  }
  await writeFile(`${descriptionPath}.tmp`, description);
  await rename(`${descriptionPath}.tmp`, descriptionPath);
}

/** Returns why the copy in `folder` is unusable, or null when it is complete. */
export async function existingProblem(backbone: PretrainedBackbone, folder: string): Promise<string | null> {
  const descriptionName = backbone === 'vgg16' ? VGG_MANIFEST_NAME : MOBILENET_MODEL_NAME;
  const text = await readFile(path.join(folder, descriptionName), 'utf8').catch(() => null);
  if (text === null) return `no ${descriptionName} in ${folder}`;
  try {
    const manifest = parseWeightsManifest(JSON.parse(text));
    for (const group of manifest.weightsManifest) {
      for (const name of group.paths) {
        if ((await stat(path.join(folder, name)).catch(() => null)) === null) return `${name} is missing from ${folder}`;
      }
    }
    return null;
  } catch (error) {
    return describeError(error);
  }
}

async function readLocal(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch {
    throw new SetupWeightsError(`${file} not found. Give the folder that contains model.json and its weight files.`);
  }
}

/** Fetches a small file whole. */
async function fetchBytes(url: string, idleTimeoutMs: number): Promise<Uint8Array> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), idleTimeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    const reason = controller.signal.aborted ? `no response for ${idleTimeoutMs / 1000} s` : describeError(error);
    throw new SetupWeightsError(`Could not download ${url}: ${reason}. Offline, give --from <folder with model.json> or set MOBILENET_V2_DIR.`);
  } finally {
    clearTimeout(timer);
  }
}

/** Streams `url` into `destination` and returns the MD5 of the bytes, as lower-case hex. */
async function downloadToFile(url: string, destination: string, idleTimeoutMs: number): Promise<string> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), idleTimeoutMs);
  const hash = createHash('md5');
  const file = await open(destination, 'w');
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    if (response.body === null) throw new Error('the response has no body');
    const reader = response.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), idleTimeoutMs);
      hash.update(chunk.value);
      await file.write(chunk.value);
    }
    return hash.digest('hex');
  } catch (error) {
    const reason = controller.signal.aborted ? `no data received for ${idleTimeoutMs / 1000} s` : describeError(error);
    throw new SetupWeightsError(`Could not download ${url}: ${reason}. Offline, give --from <file.h5> or set VGG16_WEIGHTS_H5.`);
  } finally {
    clearTimeout(timer);
    await file.close();
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, ...) in `cause`.
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

const USAGE = `Usage: npm run setup-weights -- <vgg16|mobilenetv2> [options]

Puts pretrained ImageNet weights into public/weights/<backbone folder>/.

Options:
  --from <path>   vgg16: vgg16_weights_tf_dim_ordering_tf_kernels.h5; mobilenetv2: the folder with
                  model.json and its weight files. Overrides ${SOURCE_VARIABLES.vgg16} / ${SOURCE_VARIABLES.mobilenetv2}.
  --url <url>     Download address (default: the public file).
  --out <dir>     Weights folder (default: public/weights).
  --dtype <type>  vgg16 only: float16 (default, 67 MB) or float32 (134 MB).
  -h, --help      Print this help.

Without --from or the variable, a complete copy already in the output folder is kept; otherwise
the file is downloaded (VGG16's MD5 is checked).`;

/** Output streams of the command line; replaceable in tests. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Arguments of the command line, checked. */
interface Command {
  backbone: PretrainedBackbone;
  values: { from?: string; url?: string; out?: string; dtype?: WeightsDtype };
}

/** Parses the arguments; returns the command, or the exit code after printing help or an error. */
function parseCommand(argv: readonly string[], io: CommandIo): Command | number {
  let parsed: { values: { from?: string; url?: string; out?: string; dtype?: string; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        url: { type: 'string' },
        out: { type: 'string' },
        dtype: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr.write(`${describeError(error)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const backbone = positionals[0];
  if (positionals.length !== 1 || (backbone !== 'vgg16' && backbone !== 'mobilenetv2')) {
    io.stderr.write(`expected one backbone, vgg16 or mobilenetv2; got ${JSON.stringify(positionals)}\n\n${USAGE}\n`);
    return 2;
  }
  const { dtype } = values;
  if (dtype !== undefined && dtype !== 'float16' && dtype !== 'float32') {
    io.stderr.write(`--dtype must be float16 or float32, got ${dtype}\n`);
    return 2;
  }
  return { backbone, values: { from: values.from, url: values.url, out: values.out, dtype } };
}

/**
 * Runs the command line; returns 0 on success, 1 when setup failed, 2 for invalid arguments.
 * Relative paths are resolved against `INIT_CWD`, the folder `npm run` was started from.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, io: CommandIo = process): Promise<number> {
  const command = parseCommand(argv, io);
  if (typeof command === 'number') return command;
  const { backbone, values } = command;
  const cwd = env.INIT_CWD ?? process.cwd();
  const resolve = (location: string | undefined): string | undefined => (location === undefined || location === '' ? undefined : path.resolve(cwd, location));
  try {
    const result = await setupWeights({
      backbone,
      from: resolve(values.from),
      fromEnvironment: resolve(env[SOURCE_VARIABLES[backbone]]),
      url: values.url,
      outDir: resolve(values.out),
      dtype: values.dtype,
      log: (line) => io.stdout.write(`${line}\n`),
    });
    io.stdout.write(`${backbone} weights ready in ${result.folder} (source: ${result.source}).\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`setup-weights failed: ${describeError(error)}\n`);
    return 1;
  }
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
