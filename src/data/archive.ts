/**
 * Reader for `.tar.gz` and `.tar` archives, enough for `cifar-10-binary.tar.gz`.
 *
 * Gzip is decompressed with the platform's `DecompressionStream('gzip')` (browsers, workers, Node 18+)
 * and the tar stream is parsed as it arrives, so only the kept files are held in memory.
 * Supported tar dialects: POSIX ustar (with its name prefix), pax `path`/`size` records and GNU long
 * names. Pure code: no DOM or Node import.
 */

/** One regular file read from an archive or picked by the user. */
export interface ArchiveFile {
  /** Path inside the archive, `/`-separated, for example `cifar-10-batches-bin/test_batch.bin`. */
  name: string;
  bytes: Uint8Array;
}

/** Options of `readArchive`. */
export interface ReadArchiveOptions {
  /** Keeps only files whose path passes; the others are skipped without being copied. Default: keep all. */
  keep?: (name: string) => boolean;
  /** Called as the compressed input is consumed, with bytes consumed so far and the archive's size. */
  onProgress?: (consumedBytes: number, totalBytes: number) => void;
}

/** An archive that is not a readable `.tar.gz` or `.tar`; the message names the archive. */
export class ArchiveError extends Error {
  /** Name of the archive, as given to the reader. */
  readonly archiveName: string;

  constructor(archiveName: string, message: string) {
    super(`${archiveName}: ${message}`);
    this.name = 'ArchiveError';
    this.archiveName = archiveName;
  }
}

const BLOCK_SIZE = 512;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** Input slice handed to the decompressor at a time, so progress can be reported while it runs. */
const FEED_CHUNK_BYTES = 1 << 20;
/** Largest pax or GNU long-name record accepted; real ones are a few hundred bytes. */
const MAX_META_ENTRY_BYTES = 1 << 20;

const DOWNLOAD_AGAIN = 'Download the archive again, or pick the .bin files from it instead.';

/** Returns whether `bytes` starts with the gzip signature 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Returns whether `bytes` starts with a tar header whose checksum is valid. */
export function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= BLOCK_SIZE && hasValidChecksum(bytes.subarray(0, BLOCK_SIZE));
}

/**
 * Reads the regular files of a `.tar.gz` or `.tar` archive, detected by content, not by name.
 *
 * Directories, links and other entry types are skipped. The returned `bytes` are fresh arrays.
 * Throws an `ArchiveError` naming `archiveName` when the data is neither gzip nor tar, when the
 * gzip stream is corrupt or truncated, or when a tar header is invalid or the tar data ends early.
 */
export async function readArchive(
  data: Uint8Array | ArrayBuffer,
  archiveName: string,
  options: ReadArchiveOptions = {},
): Promise<ArchiveFile[]> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const parser = new TarStreamParser(archiveName, options.keep ?? (() => true));

  if (isGzip(bytes)) {
    await gunzipInto(bytes, archiveName, parser, options.onProgress);
  } else if (isTar(bytes)) {
    parser.push(bytes);
    options.onProgress?.(bytes.length, bytes.length);
  } else {
    throw new ArchiveError(
      archiveName,
      `not a .tar.gz or .tar archive: it starts with bytes ${hexPrefix(bytes)}, ` +
        `which are neither the gzip signature 1f 8b nor a tar header. ` +
        `Pick cifar-10-binary.tar.gz or the .bin files extracted from it.`,
    );
  }

  return parser.finish();
}

/** Decompresses gzip `bytes` and pushes the output into `parser` as it arrives. */
async function gunzipInto(
  bytes: Uint8Array,
  archiveName: string,
  parser: TarStreamParser,
  onProgress: ReadArchiveOptions['onProgress'],
): Promise<void> {
  const gunzip = new DecompressionStream('gzip');
  const writer = gunzip.writable.getWriter();
  const reader = gunzip.readable.getReader();

  // Feeding and draining run concurrently: a write waits until the reader has taken earlier output.
  const feeding = (async () => {
    for (let offset = 0; offset < bytes.length; offset += FEED_CHUNK_BYTES) {
      const end = Math.min(offset + FEED_CHUNK_BYTES, bytes.length);
      await writer.write(unsharedView(bytes.subarray(offset, end)));
      onProgress?.(end, bytes.length);
    }
    await writer.close();
  })();
  // A decompression error rejects both sides; it is reported once, from the reading side.
  feeding.catch(() => undefined);

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    await feeding;
  } catch (error) {
    if (error instanceof ArchiveError) {
      await reader.cancel(error).catch(() => undefined);
      throw error;
    }
    throw new ArchiveError(
      archiveName,
      `the gzip data is truncated or corrupt (${describeError(error)}). ${DOWNLOAD_AGAIN}`,
    );
  }
}

/** Header fields of one tar entry that the reader uses. */
interface TarHeader {
  name: string;
  size: number;
  /** Type flag character: '0' or '\0' regular file, '5' directory, 'x' pax record, 'L' GNU long name, … */
  type: string;
}

/** File data still to be read for the current entry. */
interface PendingEntry {
  header: TarHeader;
  /** Destination of the data, or null when the entry is skipped. */
  data: Uint8Array | null;
  received: number;
}

/**
 * Incremental tar parser: `push` the archive in chunks of any size, then `finish`.
 *
 * Reading stops at the first all-zero block, the start of the end-of-archive marker.
 */
class TarStreamParser {
  private readonly files: ArchiveFile[] = [];
  private readonly headerBlock = new Uint8Array(BLOCK_SIZE);
  private headerFilled = 0;
  private entry: PendingEntry | null = null;
  private paddingLeft = 0;
  /** Bytes of the tar stream consumed so far, for error messages. */
  private offset = 0;
  private headersSeen = 0;
  private ended = false;
  /** Path and size from a pax record or GNU long name, applying to the next entry only. */
  private override: { name?: string; size?: number } = {};

  constructor(
    private readonly archiveName: string,
    private readonly keep: (name: string) => boolean,
  ) {}

  push(chunk: Uint8Array): void {
    let position = 0;
    while (position < chunk.length && !this.ended) {
      const rest = chunk.subarray(position);
      let used: number;
      if (this.paddingLeft > 0) {
        used = this.skipPadding(rest.length);
      } else if (this.entry !== null) {
        used = this.readEntryData(this.entry, rest);
      } else {
        used = this.readHeaderBytes(rest);
      }
      position += used;
      this.offset += used;
    }
  }

  finish(): ArchiveFile[] {
    if (this.headersSeen === 0 && !this.ended) {
      throw new ArchiveError(this.archiveName, `the tar archive is empty or truncated before its first header. ${DOWNLOAD_AGAIN}`);
    }
    if (this.entry !== null) {
      const { header, received } = this.entry;
      throw new ArchiveError(
        this.archiveName,
        `truncated archive: entry "${header.name}" needs ${header.size} bytes, but the archive ends after ${received} of them. ${DOWNLOAD_AGAIN}`,
      );
    }
    if (this.headerFilled > 0) {
      throw new ArchiveError(
        this.archiveName,
        `truncated archive: it ends inside a tar header at byte ${this.offset}. ${DOWNLOAD_AGAIN}`,
      );
    }
    // Padding missing after the last entry's data is tolerated: the data itself is complete.
    return this.files;
  }

  private skipPadding(available: number): number {
    const used = Math.min(this.paddingLeft, available);
    this.paddingLeft -= used;
    return used;
  }

  private readEntryData(entry: PendingEntry, rest: Uint8Array): number {
    const used = Math.min(entry.header.size - entry.received, rest.length);
    entry.data?.set(rest.subarray(0, used), entry.received);
    entry.received += used;
    if (entry.received === entry.header.size) this.completeEntry(entry);
    return used;
  }

  private readHeaderBytes(rest: Uint8Array): number {
    const used = Math.min(BLOCK_SIZE - this.headerFilled, rest.length);
    this.headerBlock.set(rest.subarray(0, used), this.headerFilled);
    this.headerFilled += used;
    if (this.headerFilled === BLOCK_SIZE) {
      this.headerFilled = 0;
      this.startEntry(this.offset + used - BLOCK_SIZE);
    }
    return used;
  }

  private startEntry(headerOffset: number): void {
    if (this.headerBlock.every((byte) => byte === 0)) {
      this.ended = true;
      return;
    }
    const header = this.decodeHeader(headerOffset);
    this.headersSeen++;

    const keepData = isMetaEntry(header.type) || (isRegularFile(header.type) && this.keep(header.name));
    if (isMetaEntry(header.type) && header.size > MAX_META_ENTRY_BYTES) {
      throw new ArchiveError(
        this.archiveName,
        `tar header at byte ${headerOffset} announces a ${header.size}-byte metadata record, which is not plausible. ${DOWNLOAD_AGAIN}`,
      );
    }

    const entry: PendingEntry = { header, data: keepData ? new Uint8Array(header.size) : null, received: 0 };
    if (header.size === 0) {
      this.completeEntry(entry);
    } else {
      this.entry = entry;
    }
  }

  private decodeHeader(headerOffset: number): TarHeader {
    const block = this.headerBlock;
    if (!hasValidChecksum(block)) {
      const problem = this.headersSeen === 0 ? 'the data is not a tar archive' : `corrupt tar header at byte ${headerOffset}`;
      throw new ArchiveError(this.archiveName, `${problem} (header checksum mismatch). ${DOWNLOAD_AGAIN}`);
    }

    const type = String.fromCharCode(block[156] ?? 0);
    // A pax record or GNU long name applies to the next real entry, never to another metadata entry.
    const override = isMetaEntry(type) ? {} : this.override;
    if (!isMetaEntry(type)) this.override = {};

    const size = override.size ?? readNumber(block.subarray(124, 136));
    if (size === null || !Number.isSafeInteger(size) || size < 0) {
      throw new ArchiveError(this.archiveName, `invalid size field in the tar header at byte ${headerOffset}. ${DOWNLOAD_AGAIN}`);
    }

    const name = override.name ?? readHeaderName(block);
    return { name, size, type };
  }

  private completeEntry(entry: PendingEntry): void {
    this.entry = null;
    // Entry data is padded with zeros to a whole number of blocks.
    this.paddingLeft = (BLOCK_SIZE - (entry.header.size % BLOCK_SIZE)) % BLOCK_SIZE;
    const { header, data } = entry;
    if (data === null) return;

    if (header.type === 'x') {
      this.override = { ...this.override, ...parsePaxRecords(data) };
    } else if (header.type === 'L') {
      this.override = { ...this.override, name: decodeString(data) };
    } else if (isRegularFile(header.type)) {
      this.files.push({ name: header.name, bytes: data });
    }
  }
}

/** Regular-file type flags: '0', the old NUL flag, and '7' (contiguous file). */
function isRegularFile(type: string): boolean {
  return type === '0' || type === '\0' || type === '7';
}

/** Type flags whose data describes the next entry: pax extended header and GNU long name. */
function isMetaEntry(type: string): boolean {
  return type === 'x' || type === 'L';
}

/**
 * Checks the header checksum: the sum of all 512 bytes with the checksum field read as spaces.
 * Some old writers summed signed bytes, so that sum is accepted too. An all-zero block is invalid.
 */
function hasValidChecksum(block: Uint8Array): boolean {
  const stored = readNumber(block.subarray(148, 156));
  if (stored === null) return false;

  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** Path of a header: the ustar prefix, when present, joined to the name field. */
function readHeaderName(block: Uint8Array): string {
  const name = decodeString(block.subarray(0, 100));
  const isPosixUstar = decodeString(block.subarray(257, 263)) === 'ustar';
  const prefix = isPosixUstar ? decodeString(block.subarray(345, 500)) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

/**
 * Reads a numeric header field: octal ASCII ended by NUL or space, or the GNU base-256 form
 * (first byte 0x80) used for sizes of 8 GiB and more. Returns null for an unreadable field.
 */
function readNumber(field: Uint8Array): number | null {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }

  const text = decodeString(field).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  return parseInt(text, 8);
}

/** Parses pax records ("<length> <key>=<value>\n") and returns the `path` and `size` they set. */
function parsePaxRecords(data: Uint8Array): { name?: string; size?: number } {
  const result: { name?: string; size?: number } = {};
  const text = new TextDecoder().decode(data);
  let position = 0;
  while (position < text.length) {
    const match = /^(\d+) ([^=]+)=/.exec(text.slice(position));
    if (match === null) break;
    const length = Number(match[1]);
    const key = match[2] ?? '';
    const value = text.slice(position + match[0].length, position + length - 1);
    if (key === 'path') result.name = value;
    if (key === 'size' && /^\d+$/.test(value)) result.size = Number(value);
    if (length <= 0) break;
    position += length;
  }
  return result;
}

/** Decodes a NUL-terminated UTF-8 field. */
function decodeString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}

/** Returns `chunk` as a view of an ordinary ArrayBuffer, copying only when it is backed by shared memory. */
function unsharedView(chunk: Uint8Array): Uint8Array<ArrayBuffer> {
  return chunk.buffer instanceof ArrayBuffer
    ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    : chunk.slice();
}

function hexPrefix(bytes: Uint8Array): string {
  if (bytes.length === 0) return '(none, the data is empty)';
  return Array.from(bytes.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The CIFAR-10 batch files found among a set of files, training batches in batch order. */
export interface Cifar10Files<File extends { name: string }> {
  /** `data_batch_1.bin` … `data_batch_5.bin`, whichever are present, in that order. */
  train: File[];
  /** `test_batch.bin`. */
  test: File;
}

/** Where files handed to `selectCifar10Files` come from, which decides the wording of its errors. */
export type Cifar10FilesOrigin = 'archive' | 'files' | 'folder' | 'manifest';

const TRAIN_BATCH_NAME = /^data_batch_([1-5])\.bin$/;
const TEST_BATCH_NAME = 'test_batch.bin';

/** Returns the part of a `/`- or `\`-separated path after its last separator. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** Returns whether a path's base name is a CIFAR-10 batch file name. */
export function isCifar10BatchName(path: string): boolean {
  const name = baseName(path);
  return name === TEST_BATCH_NAME || TRAIN_BATCH_NAME.test(name);
}

/**
 * Picks `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin` by base name, ignoring folders
 * and other files.
 *
 * Throws an `Error` naming `sourceName` and listing the names found when no training batch or no
 * test batch is present, or when one batch name appears twice.
 */
export function selectCifar10Files<File extends { name: string }>(
  files: readonly File[],
  sourceName: string,
  origin: Cifar10FilesOrigin = 'archive',
): Cifar10Files<File> {
  const byName = new Map<string, File>();
  for (const file of files) {
    const name = baseName(file.name);
    if (!isCifar10BatchName(name)) continue;
    const previous = byName.get(name);
    if (previous !== undefined) {
      throw new Error(
        `${sourceName}: ${name} is present twice (${previous.name} and ${file.name}). Keep one copy of each batch file.`,
      );
    }
    byName.set(name, file);
  }

  const train = [1, 2, 3, 4, 5].flatMap((n) => byName.get(`data_batch_${n}.bin`) ?? []);
  const test = byName.get(TEST_BATCH_NAME);
  if (train.length === 0 || test === undefined) {
    throw new Error(missingBatchesMessage(files, sourceName, origin));
  }
  return { train, test };
}

function missingBatchesMessage(
  files: readonly { name: string }[],
  sourceName: string,
  origin: Cifar10FilesOrigin,
): string {
  const listedNames = files.slice(0, 20).map((file) => file.name);
  // An archive is read with only its batch files kept, so an empty list means none of them was in it.
  const found = files.length === 0
    ? origin === 'archive' ? 'no CIFAR-10 batch file' : 'no files'
    : listedNames.join(', ') + (files.length > listedNames.length ? ` and ${files.length - listedNames.length} more` : '');
  const expected = 'expected data_batch_N.bin (N = 1-5) and test_batch.bin';

  switch (origin) {
    case 'archive':
      return `${sourceName}: not a CIFAR-10 binary archive: ${expected}, found: ${found}. ` +
        `Use cifar-10-binary.tar.gz (the binary version, not the Python or MATLAB one).`;
    case 'files':
      return `${sourceName}: missing CIFAR-10 batch files: ${expected}, found: ${found}. ` +
        `Pick at least one training batch and the test batch, or the cifar-10-binary.tar.gz archive.`;
    case 'folder':
      return `${sourceName}: missing CIFAR-10 batch files: ${expected}, found: ${found}. ` +
        `Use the cifar-10-batches-bin folder extracted from cifar-10-binary.tar.gz, or the archive itself.`;
    case 'manifest':
      return `${sourceName}: the manifest lacks CIFAR-10 batch files: ${expected}, found: ${found}. ` +
        'Run `npm run setup-data` again to rewrite it.';
  }
}
