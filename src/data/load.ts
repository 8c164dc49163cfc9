/**
 * Loads CIFAR-10 from a `DataSource`: a served folder with a `manifest.json`, or files the user picked.
 *
 * Uses only `fetch`, streams and `DecompressionStream`, so it runs in a Web Worker and in Node 20.
 */
import type { DataFile, DataSource } from '../worker/protocol';
import {
  type ArchiveFile,
  baseName,
  isCifar10BatchName,
  isGzip,
  isTar,
  readArchive,
  selectCifar10Files,
  type Cifar10Files,
} from './archive';
import { type ImageSet, concatImageSets, parseCifar10Batch } from './cifar10';

/** CIFAR-10 ready for training and evaluation. */
export interface Cifar10Data {
  /** Images of the training batches found, in batch order. */
  train: ImageSet;
  /** Images of `test_batch.bin`. */
  test: ImageSet;
  /** Origin of the data and the batch files used, for display. */
  sourceLabel: string;
}

/** Progress of `loadCifar10`: bytes downloaded or decompressed so far out of the total expected. */
export interface LoadProgress {
  /** Current step, for example "Downloading data_batch_1.bin (1 of 2)". */
  message: string;
  loadedBytes: number;
  totalBytes: number;
}

/** One batch file listed in `manifest.json`. */
export interface ManifestFile {
  /** Base name of the file, for example `data_batch_1.bin`. */
  name: string;
  /** Exact size of the file in bytes. */
  bytes: number;
}

/** Contents of `manifest.json` in a served CIFAR-10 folder, as written by `npm run setup-data`. */
export interface Cifar10Manifest {
  files: ManifestFile[];
}

/** Name of the manifest in a served CIFAR-10 folder. */
export const MANIFEST_NAME = 'manifest.json';

/** Advice for the user when no usable CIFAR-10 copy is found. */
export const SETUP_HINT =
  'Run `npm run setup-data` to put CIFAR-10 into public/data/cifar10, ' +
  'or pick cifar-10-binary.tar.gz or its .bin files in the page.';

/** A CIFAR-10 source that could not be fetched or read. The message names the next step for the user. */
export class Cifar10LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Cifar10LoadError';
  }
}

/** Minimum bytes between two download progress reports, so a worker does not flood the page. */
const PROGRESS_STEP_BYTES = 1 << 20;

/**
 * Loads CIFAR-10 from `source`, parsing every batch file, and reports progress on the way.
 *
 * A `url` source is a folder served over HTTP with a `manifest.json`; each listed file must arrive
 * with exactly the listed size. A `files` source is either loose batch files or one `.tar.gz`/`.tar`
 * archive, detected by content. Throws a `Cifar10LoadError`, `ArchiveError` or `Cifar10FormatError`
 * whose message names the file at fault and what to do next.
 */
export async function loadCifar10(
  source: DataSource,
  onProgress: (progress: LoadProgress) => void = () => undefined,
): Promise<Cifar10Data> {
  switch (source.kind) {
    case 'url':
      return loadFromUrl(source.baseUrl, onProgress);
    case 'files':
      return loadFromFiles(source.files, onProgress);
  }
}

/**
 * Validates parsed `manifest.json` contents and returns them typed.
 *
 * Throws a `Cifar10LoadError` naming `manifestUrl` when the shape is wrong, a name is not a plain
 * file name, or a size is not a non-negative integer.
 */
export function parseManifest(value: unknown, manifestUrl: string): Cifar10Manifest {
  const invalid = (problem: string): Cifar10LoadError =>
    new Cifar10LoadError(
      `${manifestUrl}: invalid CIFAR-10 manifest: ${problem}. ` +
        'Run `npm run setup-data` again to rewrite it.',
    );

  if (typeof value !== 'object' || value === null || !('files' in value) || !Array.isArray(value.files)) {
    throw invalid('expected an object with a "files" array');
  }

  const files: ManifestFile[] = [];
  for (const [index, entry] of (value.files as unknown[]).entries()) {
    if (typeof entry !== 'object' || entry === null || !('name' in entry) || !('bytes' in entry)) {
      throw invalid(`files[${index}] needs "name" and "bytes"`);
    }
    const { name, bytes } = entry;
    if (typeof name !== 'string' || name === '' || baseName(name) !== name || name === '..') {
      throw invalid(`files[${index}].name must be a plain file name, got ${JSON.stringify(name)}`);
    }
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
      throw invalid(`files[${index}].bytes must be a non-negative integer, got ${JSON.stringify(bytes)}`);
    }
    files.push({ name, bytes });
  }
  return { files };
}

async function loadFromUrl(baseUrl: string, onProgress: (progress: LoadProgress) => void): Promise<Cifar10Data> {
  const manifestUrl = joinUrl(baseUrl, MANIFEST_NAME);
  const manifest = await fetchManifest(manifestUrl);
  const selected = selectCifar10Files(manifest.files, manifestUrl, 'manifest');
  const batches = [...selected.train, selected.test];

  const progress = { loadedBytes: 0, totalBytes: batches.reduce((total, file) => total + file.bytes, 0) };
  const parsed = new Map<string, ImageSet>();
  for (const [index, file] of batches.entries()) {
    const message = `Downloading ${file.name} (${index + 1} of ${batches.length})`;
    const bytes = await downloadFile(joinUrl(baseUrl, file.name), file, (loadedBytes) =>
      onProgress({ message, loadedBytes: progress.loadedBytes + loadedBytes, totalBytes: progress.totalBytes }),
    );
    progress.loadedBytes += file.bytes;

    onProgress({ message: `Parsing ${file.name}`, ...progress });
    parsed.set(file.name, parseCifar10Batch(bytes, file.name));
  }

  return assemble(parsed, selected.train, selected.test, baseUrl);
}

async function fetchManifest(manifestUrl: string): Promise<Cifar10Manifest> {
  const response = await fetchOrThrow(manifestUrl, MANIFEST_NAME);
  if (response.status === 404) {
    throw new Cifar10LoadError(`CIFAR-10 is not set up: ${manifestUrl} was not found (HTTP 404). ${SETUP_HINT}`);
  }
  if (!response.ok) {
    throw new Cifar10LoadError(
      `could not read ${manifestUrl}: HTTP ${response.status} ${response.statusText}. ${SETUP_HINT}`,
    );
  }

  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Dev servers respond to unknown paths with their HTML page instead of a 404.
    const start = JSON.stringify(text.slice(0, 40));
    throw new Cifar10LoadError(
      `CIFAR-10 is not set up: ${manifestUrl} is not JSON (it starts with ${start}). ${SETUP_HINT}`,
    );
  }
  return parseManifest(value, manifestUrl);
}

/**
 * Downloads one listed file as a stream, calling `onBytes` with the bytes received so far.
 * Rejects a body shorter or longer than the manifest size, whatever Content-Length claims.
 */
async function downloadFile(
  url: string,
  file: ManifestFile,
  onBytes: (loadedBytes: number) => void,
): Promise<Uint8Array> {
  const response = await fetchOrThrow(url, file.name);
  if (!response.ok) {
    throw new Cifar10LoadError(
      `${file.name}: download failed with HTTP ${response.status} ${response.statusText} from ${url}. ` +
        'Run `npm run setup-data` again, or pick the files in the page.',
    );
  }

  if (response.body === null) throw incompleteDownload(file, url, 0, 'the response has no body');
  return readBody(response.body.getReader(), url, file, onBytes);
}

/** Reads a response body into an array of exactly the listed size, reporting progress every MiB. */
async function readBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  url: string,
  file: ManifestFile,
  onBytes: (loadedBytes: number) => void,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(file.bytes);
  let received = 0;
  let reported = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw incompleteDownload(file, url, received, `the connection failed: ${describeError(error)}`);
    }
    if (chunk.done) break;

    if (received + chunk.value.length > file.bytes) {
      await reader.cancel().catch(() => undefined);
      throw new Cifar10LoadError(
        `${file.name}: ${url} sent more than the ${file.bytes} bytes listed in ${MANIFEST_NAME}, ` +
          'so the manifest is out of date. Run `npm run setup-data` again.',
      );
    }
    bytes.set(chunk.value, received);
    received += chunk.value.length;
    if (received - reported >= PROGRESS_STEP_BYTES) {
      reported = received;
      onBytes(received);
    }
  }

  if (received !== file.bytes) throw incompleteDownload(file, url, received, 'the download ended early');
  onBytes(received);
  return bytes;
}

function incompleteDownload(file: ManifestFile, url: string, received: number, reason: string): Cifar10LoadError {
  return new Cifar10LoadError(
    `${file.name}: incomplete download from ${url}: expected ${file.bytes} bytes (as listed in ${MANIFEST_NAME}), ` +
      `received ${received}; ${reason}. Reload to try again. If it keeps failing, run \`npm run setup-data\` again.`,
  );
}

async function fetchOrThrow(url: string, fileName: string): Promise<Response> {
  try {
    return await fetch(url);
  } catch (error) {
    throw new Cifar10LoadError(`${fileName}: could not fetch ${url} (${describeError(error)}). ${SETUP_HINT}`);
  }
}

async function loadFromFiles(files: DataFile[], onProgress: (progress: LoadProgress) => void): Promise<Cifar10Data> {
  const picked: ArchiveFile[] = files.map((file) => ({ name: file.name, bytes: new Uint8Array(file.bytes) }));
  const totalBytes = picked.reduce((total, file) => total + file.bytes.length, 0);

  if (picked.some((file) => isCifar10BatchName(file.name))) {
    const selected = selectOrReportDamage(picked);
    return parseSelected(selected.train, selected.test, 'picked files', totalBytes, onProgress);
  }

  const archives = picked.filter((file) => isGzip(file.bytes) || isTar(file.bytes));
  if (archives.length > 1) {
    throw new Cifar10LoadError(
      `Picked files: ${archives.length} archives (${archives.map((file) => file.name).join(', ')}). ` +
        'Pick only cifar-10-binary.tar.gz.',
    );
  }
  const [archive] = archives;
  const fakeArchive = picked.find((file) => /\.(gz|tgz|tar)$/i.test(file.name));
  if (archive === undefined && fakeArchive !== undefined) {
    throw new Cifar10LoadError(
      `${fakeArchive.name} is not a valid gzip or tar archive: its content does not start like one. ` +
        'Pick the cifar-10-binary.tar.gz downloaded from the CIFAR-10 site, or its .bin files.',
    );
  }
  if (archive === undefined) {
    throw new Cifar10LoadError(
      `Picked files: no CIFAR-10 batch file and no .tar.gz or .tar archive among ${listNames(picked)}. ` +
        'Pick cifar-10-binary.tar.gz, or data_batch_N.bin (N = 1-5) and test_batch.bin.',
    );
  }

  const entries = await readArchive(archive.bytes, archive.name, {
    keep: isCifar10BatchName,
    onProgress: (consumedBytes, archiveBytes) =>
      onProgress({ message: `Decompressing ${archive.name}`, loadedBytes: consumedBytes, totalBytes: archiveBytes }),
  });
  const selected = selectCifar10Files(entries, archive.name, 'archive');
  return parseSelected(selected.train, selected.test, archive.name, archive.bytes.length, onProgress);
}

/**
 * Selects the picked batch files. When some are missing, a damaged picked file is reported first,
 * because it is the problem to fix before picking more.
 */
function selectOrReportDamage(picked: ArchiveFile[]): Cifar10Files<ArchiveFile> {
  try {
    return selectCifar10Files(picked, 'Picked files', 'files');
  } catch (error) {
    for (const file of picked) {
      if (isCifar10BatchName(file.name)) parseCifar10Batch(file.bytes, file.name);
    }
    throw error;
  }
}

function parseSelected(
  train: ArchiveFile[],
  test: ArchiveFile,
  sourceName: string,
  totalBytes: number,
  onProgress: (progress: LoadProgress) => void,
): Cifar10Data {
  const parsed = new Map<string, ImageSet>();
  for (const file of [...train, test]) {
    onProgress({ message: `Parsing ${baseName(file.name)}`, loadedBytes: totalBytes, totalBytes });
    parsed.set(file.name, parseCifar10Batch(file.bytes, file.name));
  }
  return assemble(parsed, train, test, sourceName);
}

function assemble(
  parsed: Map<string, ImageSet>,
  train: readonly { name: string }[],
  test: { name: string },
  sourceName: string,
): Cifar10Data {
  const setOf = (name: string): ImageSet => {
    const set = parsed.get(name);
    if (set === undefined) throw new Error(`internal error: ${name} was not parsed`);
    return set;
  };
  const names = [...train, test].map((file) => baseName(file.name)).join(', ');
  return {
    train: concatImageSets(train.map((file) => setOf(file.name))),
    test: setOf(test.name),
    sourceLabel: `${sourceName} (${names})`,
  };
}

function listNames(files: readonly { name: string }[]): string {
  if (files.length === 0) return 'no files';
  const listed = files.slice(0, 20).map((file) => file.name).join(', ');
  return files.length > 20 ? `${listed} and ${files.length - 20} more` : listed;
}

/** Joins a base URL (absolute or relative, with or without a trailing slash) and a file name. */
function joinUrl(baseUrl: string, name: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, …) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
