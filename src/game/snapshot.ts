/**
 * The saved-run file: everything needed to continue a run exactly where it stopped, and to redraw
 * its charts. It has no DOM and no TF.js import, so the page, the worker and Node tests share it.
 *
 * Layout (all integers little-endian):
 *
 *   bytes 0-7     ASCII magic `ELPSNAP1`
 *   bytes 8-11    uint32 length H of the JSON header in bytes
 *   bytes 12..    H bytes of UTF-8 JSON (`SnapshotHeader`)
 *   then          zero padding up to a multiple of 4 bytes
 *   then          the tensor data: each tensor of the header's index at its `byteOffset`
 *                 (relative to the start of the data), float32 or int32, row-major
 *
 * Tensor names: `param/<ParamStore name>` for every parameter (batch-norm moving statistics
 * included), `optimizer/iter`, `optimizer/accBeta1`, `optimizer/accBeta2`, `optimizer/m/<name>` and
 * `optimizer/v/<name>` for Adam's step count, bias-correction powers and moments, `game/baseline` for the REINFORCE mean baseline, and `run/epochOrder` for the
 * current epoch's image order.
 */
import { DEFAULT_RUN_CONFIG, RUN_CONFIG_CHOICES, type RunConfig, configProblems } from './config';

/** Name of the format, stored in every header. */
export const SNAPSHOT_FORMAT = 'emergent-language-playground-run';

/** Version of the layout described above. A file of another version is rejected. */
export const SNAPSHOT_VERSION = 1;

const MAGIC = 'ELPSNAP1';
const PREFIX_BYTES = MAGIC.length + 4;

/** Element type of a stored tensor. */
export type SnapshotDtype = 'float32' | 'int32';

/** One tensor of the file's index. */
export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: SnapshotDtype;
  /** Offset of the first element from the start of the tensor data, in bytes (a multiple of 4). */
  byteOffset: number;
}

/** Counters of the training loop that a resumed run continues from. */
export interface RunProgress {
  /** Training steps taken. */
  step: number;
  /** Next position in the current epoch's image order (`run/epochOrder`). */
  epochPosition: number;
  /** Training time summed over steps, in milliseconds. */
  elapsedMs: number;
  /** State of the run's seeded generator (`Rng.getState`). */
  rngState: number;
  /** Steps folded into the REINFORCE mean baseline. */
  baselineSteps: number;
}

/** Metric records of the run, as the page's store contains them, opaque to this module. */
export interface SnapshotHistory<S = unknown, E = unknown> {
  stepLog: S[];
  evalLog: E[];
}

/** The JSON part of the file. */
export interface SnapshotHeader {
  format: string;
  version: number;
  config: RunConfig;
  progress: RunProgress;
  history: SnapshotHistory;
  tensors: TensorEntry[];
}

/** A tensor's values, as they are stored. */
export type TensorValues = Float32Array | Int32Array;

/** A decoded snapshot: the header and every tensor's values by name. */
export interface RunSnapshot {
  config: RunConfig;
  progress: RunProgress;
  history: SnapshotHistory;
  tensors: Map<string, { shape: number[]; values: TensorValues }>;
}

/** A file that is not a readable snapshot of this version. The message states why and what to do next. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

const TENSOR_NAME_PATTERN = /^(param\/.+|optimizer\/(iter|accBeta1|accBeta2)|optimizer\/[mv]\/.+|game\/baseline|run\/epochOrder)$/;

/** Encodes a snapshot into one file's bytes. */
export function encodeSnapshot(snapshot: RunSnapshot): ArrayBuffer {
  const tensors: TensorEntry[] = [];
  let dataBytes = 0;
  for (const [name, { shape, values }] of snapshot.tensors) {
    tensors.push({ name, shape, dtype: values instanceof Int32Array ? 'int32' : 'float32', byteOffset: dataBytes });
    dataBytes += values.length * 4;
  }
  const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, config: snapshot.config, progress: snapshot.progress, history: snapshot.history, tensors };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = alignTo4(PREFIX_BYTES + json.length);
  const buffer = new ArrayBuffer(dataStart + dataBytes);
  const bytes = new Uint8Array(buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(buffer).setUint32(MAGIC.length, json.length, true);
  bytes.set(json, PREFIX_BYTES);
  for (const [index, { values }] of [...snapshot.tensors.values()].entries()) {
    const entry = tensors[index] as TensorEntry;
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), dataStart + entry.byteOffset);
  }
  return buffer;
}

/**
 * Decodes and checks a snapshot file. Throws a `SnapshotError` naming the problem for a file that
 * is truncated, of another format or version, has unreadable JSON, settings that cannot run, or
 * a tensor index that does not match the data.
 */
export function decodeSnapshot(buffer: ArrayBuffer): RunSnapshot {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < PREFIX_BYTES || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new SnapshotError('This file is not a saved run of the playground (its first bytes are not the saved-run marker). Pick a file made with Save.');
  }
  const jsonBytes = new DataView(buffer).getUint32(MAGIC.length, true);
  if (PREFIX_BYTES + jsonBytes > bytes.length) {
    throw new SnapshotError(`The saved run is truncated: its header needs ${jsonBytes} bytes but the file ends after ${bytes.length - PREFIX_BYTES}. Save the run again.`);
  }
  const header = parseHeader(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + jsonBytes)));
  const dataStart = alignTo4(PREFIX_BYTES + jsonBytes);
  const tensors = new Map<string, { shape: number[]; values: TensorValues }>();
  for (const entry of header.tensors) {
    if (tensors.has(entry.name)) throw new SnapshotError(`The saved run lists tensor ${entry.name} twice. The file is damaged.`);
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const start = dataStart + entry.byteOffset;
    if (start + size * 4 > bytes.length) {
      throw new SnapshotError(`The saved run is truncated: tensor ${entry.name} needs ${size * 4} bytes at byte ${start}, but the file has ${bytes.length} bytes. Save the run again.`);
    }
    // Copied, so that the values do not keep the whole file alive and are aligned whatever the buffer.
    const copy = buffer.slice(start, start + size * 4);
    tensors.set(entry.name, { shape: entry.shape, values: entry.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy) });
  }
  if (!tensors.has('run/epochOrder')) throw new SnapshotError('The saved run has no epoch order (run/epochOrder). The file is damaged.');
  return { config: header.config, progress: header.progress, history: header.history, tensors };
}

function parseHeader(text: string): SnapshotHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(`The saved run's header is not valid JSON (${error instanceof Error ? error.message : String(error)}). The file is damaged.`);
  }
  if (!isRecord(value)) throw new SnapshotError('The saved run\'s header is not a JSON object. The file is damaged.');
  if (value.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`The file's format is "${String(value.format)}", expected "${SNAPSHOT_FORMAT}". Pick a file made with Save.`);
  if (value.version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(`The saved run is of version ${String(value.version)}; this playground reads version ${SNAPSHOT_VERSION} only. Save the run again with this version.`);
  }
  const history = value.history;
  if (!isRecord(history) || !Array.isArray(history.stepLog) || !Array.isArray(history.evalLog)) {
    throw new SnapshotError('The saved run has no metric history (stepLog and evalLog lists). The file is damaged.');
  }
  if (!Array.isArray(value.tensors)) throw new SnapshotError('The saved run has no tensor index. The file is damaged.');
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    config: checkConfig(value.config),
    progress: checkProgress(value.progress),
    history: { stepLog: history.stepLog as unknown[], evalLog: history.evalLog as unknown[] },
    tensors: value.tensors.map(checkEntry),
  };
}

/** Checks that `value` has exactly the settings of a `RunConfig`, each of the right kind, and that they can run together. */
function checkConfig(value: unknown): RunConfig {
  if (!isRecord(value)) throw new SnapshotError('The saved run has no settings. The file is damaged.');
  const choices: Record<string, Record<string, string>> = RUN_CONFIG_CHOICES;
  for (const [key, fallback] of Object.entries(DEFAULT_RUN_CONFIG)) {
    const setting = value[key];
    const choice = choices[key];
    const valid = choice === undefined ? typeof setting === 'number' && Number.isFinite(setting) : typeof setting === 'string' && Object.hasOwn(choice, setting);
    if (!valid) throw new SnapshotError(`The saved run's setting ${key} is ${JSON.stringify(setting) ?? 'missing'}, expected ${choice === undefined ? 'a number' : `one of ${Object.keys(choice).join(', ')}`} (default ${String(fallback)}).`);
  }
  const unknown = Object.keys(value).filter((key) => !Object.hasOwn(DEFAULT_RUN_CONFIG, key));
  if (unknown.length > 0) throw new SnapshotError(`The saved run has settings this version does not know: ${unknown.join(', ')}.`);
  // Every key of RunConfig was checked above, with the type its choice list or number implies.
  const config = value as unknown as RunConfig;
  const problems = configProblems(config);
  if (problems.length > 0) throw new SnapshotError(`The saved run's settings cannot run: ${problems.join(' ')}`);
  return config;
}

function checkProgress(value: unknown): RunProgress {
  if (!isRecord(value)) throw new SnapshotError('The saved run has no progress counters. The file is damaged.');
  const counter = (key: keyof RunProgress, integer: boolean): number => {
    const field = value[key];
    if (typeof field !== 'number' || !Number.isFinite(field) || field < 0 || (integer && !Number.isInteger(field))) {
      throw new SnapshotError(`The saved run's ${key} is ${JSON.stringify(field) ?? 'missing'}, expected a ${integer ? 'whole ' : ''}number of at least 0. The file is damaged.`);
    }
    return field;
  };
  return { step: counter('step', true), epochPosition: counter('epochPosition', true), elapsedMs: counter('elapsedMs', false), rngState: counter('rngState', true), baselineSteps: counter('baselineSteps', true) };
}

function checkEntry(value: unknown): TensorEntry {
  if (!isRecord(value) || typeof value.name !== 'string') throw new SnapshotError('The saved run\'s tensor index has an entry without a name. The file is damaged.');
  const { name, shape, dtype, byteOffset } = value;
  if (!TENSOR_NAME_PATTERN.test(name)) throw new SnapshotError(`The saved run contains an unknown tensor "${name}". The file is damaged or of another version.`);
  if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isInteger(d) && (d as number) >= 0)) {
    throw new SnapshotError(`Tensor ${name} of the saved run has an invalid shape ${JSON.stringify(shape)}. The file is damaged.`);
  }
  if (dtype !== 'float32' && dtype !== 'int32') throw new SnapshotError(`Tensor ${name} of the saved run has dtype ${JSON.stringify(dtype)}, expected float32 or int32.`);
  if (typeof byteOffset !== 'number' || !Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 4 !== 0) {
    throw new SnapshotError(`Tensor ${name} of the saved run has an invalid byte offset ${JSON.stringify(byteOffset)}. The file is damaged.`);
  }
  return { name, shape, dtype, byteOffset };
}

/**
 * Checks that a snapshot has exactly the parameters `expected` (name to shape) of the game its
 * settings build, and Adam moments of the same shapes. Throws a `SnapshotError` otherwise.
 */
export function checkSnapshotShapes(snapshot: RunSnapshot, expected: ReadonlyMap<string, readonly number[]>): void {
  for (const [name, { shape }] of snapshot.tensors) {
    const match = /^(param|optimizer\/[mv])\/(.+)$/.exec(name);
    if (match === null) continue;
    const wanted = expected.get(match[2] as string);
    if (wanted === undefined) throw new SnapshotError(`The saved run contains tensor ${name}, but the game of its settings has no parameter ${match[2] as string}.`);
    if (!sameShape(shape, wanted)) throw new SnapshotError(`Tensor ${name} of the saved run has shape [${shape.join(', ')}], but the game expects [${wanted.join(', ')}].`);
  }
  for (const name of expected.keys()) {
    if (!snapshot.tensors.has(`param/${name}`)) throw new SnapshotError(`The saved run lacks parameter ${name} of the game of its settings. The file is damaged.`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function alignTo4(bytes: number): number {
  return Math.ceil(bytes / 4) * 4;
}
