/**
 * Puts CIFAR-10 into `public/data/cifar10/` for the app: the batch `.bin` files and `manifest.json`.
 *
 * Sources, in priority order: `--from <path>`, the `CIFAR10_DIR` environment variable, a valid copy
 * already in the output folder, then a download of the official binary archive (MD5-checked).
 * Every batch file is parsed before anything is written, and `manifest.json` is written last, so an
 * interrupted setup is never taken for a valid one. Run with `npm run setup-data -- [options]`.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type ArchiveFile,
  type Cifar10Files,
  baseName,
  isCifar10BatchName,
  readArchive,
  selectCifar10Files,
} from '../src/data/archive';
import { parseCifar10Batch } from '../src/data/cifar10';
import { type Cifar10Manifest, MANIFEST_NAME, type ManifestFile, parseManifest } from '../src/data/load';

/** Official download of the CIFAR-10 binary version. */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

/** MD5 of `cifar-10-binary.tar.gz`, as published on the CIFAR-10 page. */
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

const ARCHIVE_NAME = 'cifar-10-binary.tar.gz';
const BATCH_FOLDER_NAME = 'cifar-10-batches-bin';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Folder the app serves CIFAR-10 from (`/data/cifar10/` in the page). */
export const DEFAULT_OUT_DIR = path.join(repoRoot, 'public', 'data', 'cifar10');

/** Milliseconds without a received byte after which a download is abandoned. */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

const OFFLINE_ALTERNATIVES =
  'Offline alternatives: (1) run `npm run setup-data -- --from <path>` (or set CIFAR10_DIR=<path>) with ' +
  `<path> a ${ARCHIVE_NAME} archive or a ${BATCH_FOLDER_NAME} folder, or ` +
  `(2) start the app and pick ${ARCHIVE_NAME} or its .bin files in the page.`;

/** Options of `setupData`. */
export interface SetupDataOptions {
  /** `--from`: a `cifar-10-binary.tar.gz`, a `cifar-10-batches-bin` folder, or a folder containing either. */
  from?: string;
  /** Value of the `CIFAR10_DIR` environment variable, used when `from` is not given; same forms as `from`. */
  cifar10Dir?: string;
  /** Archive to download when no local source applies. Default: `CIFAR10_URL`. */
  url?: string;
  /** Folder to write the batch files and `manifest.json` into. Default: `DEFAULT_OUT_DIR`. */
  outDir?: string;
  /** Lower-case hex MD5 the downloaded archive must have. Default: `CIFAR10_MD5`. */
  expectedMd5?: string;
  /** Receives one line per step, without a trailing newline. Default: discard. */
  log?: (line: string) => void;
  /** Called as the download arrives. */
  onDownloadProgress?: (progress: DownloadProgress) => void;
  /** Milliseconds without received data before a download is abandoned. Default: 60,000. */
  idleTimeoutMs?: number;
}

/** Source that `setupData` used. */
export type SetupSource = 'from' | 'CIFAR10_DIR' | 'existing' | 'download';

/** Outcome of `setupData`. */
export interface SetupDataResult {
  source: SetupSource;
  outDir: string;
  /** Files listed in the written (or kept) `manifest.json`. */
  files: ManifestFile[];
}

/** Bytes of the archive received so far; `totalBytes` is null when the server sends no Content-Length. */
export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | null;
}

/** A failed setup step. The message names what failed and the next step for the user. */
export class SetupDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupDataError';
  }
}

/**
 * Sets up CIFAR-10 in `outDir` from the first source that applies (see the file comment) and returns
 * which source was used and the files written.
 *
 * Throws a `SetupDataError`, `ArchiveError` or `Cifar10FormatError` whose message names the file or
 * URL at fault. Nothing is written for an invalid source, and a failed download leaves no partial
 * file behind.
 */
export async function setupData(options: SetupDataOptions = {}): Promise<SetupDataResult> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const log = options.log ?? (() => undefined);

  if (options.from !== undefined) {
    log(`Reading CIFAR-10 from ${options.from} (--from)`);
    const files = await validateAndWrite(await readLocalSource(options.from), outDir, log);
    return { source: 'from', outDir, files };
  }
  if (options.cifar10Dir !== undefined && options.cifar10Dir !== '') {
    log(`Reading CIFAR-10 from ${options.cifar10Dir} (CIFAR10_DIR)`);
    const files = await validateAndWrite(await readLocalSource(options.cifar10Dir), outDir, log);
    return { source: 'CIFAR10_DIR', outDir, files };
  }

  const existing = await readExistingSetup(outDir);
  if (existing.manifest !== null) {
    log(`CIFAR-10 already present in ${outDir}; delete that folder to set it up again.`);
    return { source: 'existing', outDir, files: existing.manifest.files };
  }
  if (existing.problem !== null) log(`Setting up again: ${existing.problem}`);

  const url = options.url ?? CIFAR10_URL;
  const selected = await downloadAndExtract(url, outDir, options, log);
  const files = await validateAndWrite(selected, outDir, log);
  return { source: 'download', outDir, files };
}

/**
 * Checks the copy in `outDir`: a valid manifest listing a training and a test batch, each present
 * with its listed size. Returns the manifest, or null with the problem found (null when there is
 * no manifest at all).
 */
export async function readExistingSetup(
  outDir: string,
): Promise<{ manifest: Cifar10Manifest | null; problem: string | null }> {
  const manifestPath = path.join(outDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    return { manifest: null, problem: null };
  }

  try {
    const manifest = parseManifest(JSON.parse(text), manifestPath);
    selectCifar10Files(manifest.files, manifestPath, 'manifest');
    for (const file of manifest.files) {
      const size = await stat(path.join(outDir, file.name)).then((stats) => stats.size, () => null);
      if (size === null) {
        return { manifest: null, problem: `${file.name} is missing from ${outDir}` };
      }
      if (size !== file.bytes) {
        const problem = `${file.name} in ${outDir} is ${size} bytes, but the manifest lists ${file.bytes}`;
        return { manifest: null, problem };
      }
    }
    return { manifest, problem: null };
  } catch (error) {
    return { manifest: null, problem: describeError(error) };
  }
}

/** Reads the batch files of a local archive or folder, without validating their contents. */
async function readLocalSource(location: string): Promise<Cifar10Files<ArchiveFile>> {
  const stats = await stat(location).catch(() => null);
  if (stats === null) {
    throw new SetupDataError(
      `${location} not found. Give the path of ${ARCHIVE_NAME} or of a ${BATCH_FOLDER_NAME} folder.`,
    );
  }
  if (stats.isFile()) {
    const files = await readArchive(await readFile(location), location, { keep: isCifar10BatchName });
    return selectCifar10Files(files, location, 'archive');
  }
  return readBatchFolder(location);
}

/**
 * Reads the batch files of `folder`; when it has none, of its `cifar-10-batches-bin` subfolder,
 * else of a `cifar-10-binary.tar.gz` inside it.
 */
async function readBatchFolder(folder: string): Promise<Cifar10Files<ArchiveFile>> {
  const names = (await readdir(folder)).sort();
  const batchNames = names.filter(isCifar10BatchName);

  if (batchNames.length === 0 && names.includes(BATCH_FOLDER_NAME)) {
    return readBatchFolder(path.join(folder, BATCH_FOLDER_NAME));
  }
  if (batchNames.length === 0 && names.includes(ARCHIVE_NAME)) {
    return readLocalSource(path.join(folder, ARCHIVE_NAME));
  }

  const selected = selectCifar10Files(batchNames.map((name) => ({ name })), folder, 'folder');
  const readOne = async ({ name }: { name: string }): Promise<ArchiveFile> => ({
    name,
    bytes: await readFile(path.join(folder, name)),
  });
  return { train: await Promise.all(selected.train.map(readOne)), test: await readOne(selected.test) };
}

/** Downloads the archive to a temporary folder beside `outDir`, checks its MD5 and reads its batch files. */
async function downloadAndExtract(
  url: string,
  outDir: string,
  options: SetupDataOptions,
  log: (line: string) => void,
): Promise<Cifar10Files<ArchiveFile>> {
  const parent = path.dirname(outDir);
  await mkdir(parent, { recursive: true });
  const tempDir = await mkdtemp(path.join(parent, '.cifar10-download-'));
  const archivePath = path.join(tempDir, `${ARCHIVE_NAME}.part`);

  try {
    log(`Downloading ${url}`);
    const md5 = await downloadToFile(url, archivePath, options);
    const expectedMd5 = (options.expectedMd5 ?? CIFAR10_MD5).toLowerCase();
    if (md5 !== expectedMd5) {
      throw new SetupDataError(
        `MD5 mismatch for ${url}: got ${md5}, expected ${expectedMd5}. The download is corrupt or the URL ` +
          `serves another file, so it was deleted. Run the command again. ${OFFLINE_ALTERNATIVES}`,
      );
    }
    log(`MD5 checked (${md5}); extracting`);
    const files = await readArchive(await readFile(archivePath), url, { keep: isCifar10BatchName });
    return selectCifar10Files(files, url, 'archive');
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/** Streams `url` into `destination` and returns the MD5 of the bytes, as lower-case hex. */
async function downloadToFile(url: string, destination: string, options: SetupDataOptions): Promise<string> {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), idleTimeoutMs);
  const restartTimer = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idleTimeoutMs);
  };

  const hash = createHash('md5');
  const file = await open(destination, 'w');
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    if (response.body === null) throw new Error('the response has no body');
    const declared = Number(response.headers.get('content-length'));
    const totalBytes = Number.isSafeInteger(declared) && declared > 0 ? declared : null;

    let receivedBytes = 0;
    const reader = response.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      restartTimer();
      hash.update(chunk.value);
      await file.write(chunk.value);
      receivedBytes += chunk.value.length;
      options.onDownloadProgress?.({ receivedBytes, totalBytes });
    }
    if (totalBytes !== null && receivedBytes !== totalBytes) {
      throw new Error(`the connection closed after ${receivedBytes} of ${totalBytes} bytes`);
    }
    return hash.digest('hex');
  } catch (error) {
    const reason = controller.signal.aborted ? `no data received for ${idleTimeoutMs / 1000} s` : describeError(error);
    throw new SetupDataError(`Could not download CIFAR-10 from ${url}: ${reason}. ${OFFLINE_ALTERNATIVES}`);
  } finally {
    clearTimeout(timer);
    await file.close();
  }
}

/**
 * Parses every selected batch, then writes them into `outDir` and `manifest.json` last. Batch files
 * of an earlier setup that the new one lacks are deleted. Returns the manifest entries.
 */
async function validateAndWrite(
  selected: Cifar10Files<ArchiveFile>,
  outDir: string,
  log: (line: string) => void,
): Promise<ManifestFile[]> {
  const batches = [...selected.train, selected.test];
  for (const file of batches) {
    const images = parseCifar10Batch(file.bytes, file.name).count;
    log(`Checked ${file.name}: ${images} images`);
  }

  await mkdir(outDir, { recursive: true });
  const manifestPath = path.join(outDir, MANIFEST_NAME);
  await rm(manifestPath, { force: true });

  const files: ManifestFile[] = [];
  for (const file of batches) {
    const name = baseName(file.name);
    await writeFile(path.join(outDir, name), file.bytes);
    files.push({ name, bytes: file.bytes.length });
  }

  const writtenNames = new Set(files.map((file) => file.name));
  for (const name of await readdir(outDir)) {
    if (isCifar10BatchName(name) && !writtenNames.has(name)) await rm(path.join(outDir, name));
  }

  const manifest: Cifar10Manifest = { files };
  const temporaryPath = `${manifestPath}.tmp`;
  await writeFile(temporaryPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temporaryPath, manifestPath);
  log(`Wrote ${files.map((file) => file.name).join(', ')} and ${MANIFEST_NAME} to ${outDir}`);
  return files;
}

/** Formats download progress as "42% 71.6 of 170.1 MB", or "71.6 MB" when the size is unknown. */
export function formatDownloadProgress({ receivedBytes, totalBytes }: DownloadProgress): string {
  const megabytes = (bytes: number): string => (bytes / 1e6).toFixed(1);
  if (totalBytes === null) return `${megabytes(receivedBytes)} MB`;
  const percent = Math.floor((100 * receivedBytes) / totalBytes);
  return `${String(percent).padStart(3)}% ${megabytes(receivedBytes)} of ${megabytes(totalBytes)} MB`;
}

/** Output stream of the progress display: a terminal or a pipe. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Creates a download progress display. On a terminal it rewrites one line in place, at most every
 * 100 ms. Elsewhere it prints a line every 10 %, or every 20 MB when the size is unknown.
 * `finish` ends the display with the last figures.
 */
export function createProgressDisplay(
  stream: ProgressStream,
  nowMs: () => number = () => Date.now(),
): { update: (progress: DownloadProgress) => void; finish: () => void } {
  const prefix = `Downloading ${ARCHIVE_NAME}: `;
  let last: DownloadProgress | null = null;
  let lastWriteMs = -Infinity;
  let lastStep = 0;

  const update = (progress: DownloadProgress): void => {
    last = progress;
    if (stream.isTTY === true) {
      if (nowMs() - lastWriteMs < 100) return;
      lastWriteMs = nowMs();
      stream.write(`\r\x1b[2K${prefix}${formatDownloadProgress(progress)}`);
      return;
    }
    const step = progress.totalBytes === null
      ? Math.floor(progress.receivedBytes / 20e6)
      : Math.floor((10 * progress.receivedBytes) / progress.totalBytes);
    if (step > lastStep) {
      lastStep = step;
      stream.write(`${prefix}${formatDownloadProgress(progress)}\n`);
    }
  };

  const finish = (): void => {
    if (last === null) return;
    if (stream.isTTY === true) {
      stream.write(`\r\x1b[2K${prefix}${formatDownloadProgress(last)}\n`);
    } else if (last.totalBytes === null || last.receivedBytes < last.totalBytes) {
      stream.write(`${prefix}${formatDownloadProgress(last)}\n`);
    }
  };

  return { update, finish };
}

const USAGE = `Usage: npm run setup-data -- [options]

Puts CIFAR-10 into public/data/cifar10/ (batch .bin files and manifest.json).

Options:
  --from <path>  ${ARCHIVE_NAME}, a ${BATCH_FOLDER_NAME} folder, or a folder containing either.
                 Overrides the CIFAR10_DIR environment variable, which takes the same forms.
  --url <url>    Archive to download when no local copy is given (default: ${CIFAR10_URL}).
  --out <dir>    Output folder (default: public/data/cifar10).
  -h, --help     Print this help.

Without --from or CIFAR10_DIR, a valid copy already in the output folder is kept; otherwise the
archive is downloaded and its MD5 checked.`;

/** Output streams of the command line; replaceable in tests. */
export interface CommandIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/**
 * Runs the command line with `argv` (arguments after the script name) and returns the exit code:
 * 0 on success, 1 when setup failed, 2 for invalid arguments. Relative paths are resolved against
 * `INIT_CWD`, the folder `npm run` was started from, else the current folder.
 */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let values: { from?: string; url?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        from: { type: 'string' },
        url: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.stderr.write(`${describeError(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const cwd = env.INIT_CWD ?? process.cwd();
  const resolve = (location: string | undefined): string | undefined =>
    location === undefined || location === '' ? undefined : path.resolve(cwd, location);
  const display = createProgressDisplay(io.stderr);

  try {
    const result = await setupData({
      from: resolve(values.from),
      cifar10Dir: resolve(env.CIFAR10_DIR),
      url: values.url,
      outDir: resolve(values.out) ?? DEFAULT_OUT_DIR,
      log: (line) => io.stdout.write(`${line}\n`),
      onDownloadProgress: display.update,
    });
    display.finish();
    io.stdout.write(`CIFAR-10 ready in ${result.outDir} (source: ${result.source}).\n`);
    return 0;
  } catch (error) {
    display.finish();
    io.stderr.write(`setup-data failed: ${describeError(error)}\n`);
    return 1;
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
