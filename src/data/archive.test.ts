import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ArchiveError,
  baseName,
  isCifar10BatchName,
  isGzip,
  isTar,
  readArchive,
  selectCifar10Files,
} from './archive';
import { concatBytes, makeBatch, makeTempDir, writeTar } from './test-helpers';

/** Awaits `promise`, expects an ArchiveError, and returns it. */
async function archiveError(promise: Promise<unknown>): Promise<ArchiveError> {
  const error: unknown = await promise.then(
    () => new Error('expected an ArchiveError, but the promise resolved'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  return error as ArchiveError; // Checked by the line above.
}

function hasSystemTar(): boolean {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const train = makeBatch([0, 1, 2]);
const test = makeBatch([9, 8]);
const tar = writeTar([
  { name: 'cifar-10-batches-bin' },
  { name: 'cifar-10-batches-bin/data_batch_1.bin', bytes: train },
  { name: 'cifar-10-batches-bin/test_batch.bin', bytes: test },
  { name: 'cifar-10-batches-bin/readme.html', bytes: new TextEncoder().encode('<p>hello</p>') },
  { name: 'cifar-10-batches-bin/empty.txt', bytes: new Uint8Array(0) },
]);

describe('readArchive', () => {
  it('round-trips a .tar.gz', async () => {
    const files = await readArchive(gzipSync(tar), 'small.tar.gz');
    expect(files.map((file) => file.name)).toEqual([
      'cifar-10-batches-bin/data_batch_1.bin',
      'cifar-10-batches-bin/test_batch.bin',
      'cifar-10-batches-bin/readme.html',
      'cifar-10-batches-bin/empty.txt',
    ]);
    expect(files[0]?.bytes).toEqual(train);
    expect(files[1]?.bytes).toEqual(test);
    expect(new TextDecoder().decode(files[2]?.bytes)).toBe('<p>hello</p>');
    expect(files[3]?.bytes.length).toBe(0);
  });

  it('reads a plain .tar from an ArrayBuffer', async () => {
    const buffer = Uint8Array.from(tar).buffer;
    const files = await readArchive(buffer, 'small.tar');
    expect(files.map((file) => file.name)).toContain('cifar-10-batches-bin/test_batch.bin');
    expect(files.find((file) => file.name.endsWith('data_batch_1.bin'))?.bytes).toEqual(train);
  });

  it('keeps only the files asked for', async () => {
    const files = await readArchive(gzipSync(tar), 'small.tar.gz', { keep: isCifar10BatchName });
    expect(files.map((file) => baseName(file.name))).toEqual(['data_batch_1.bin', 'test_batch.bin']);
  });

  it('reports progress up to the archive size', async () => {
    const gz = gzipSync(tar);
    const reports: [number, number][] = [];
    await readArchive(gz, 'small.tar.gz', { onProgress: (consumed, total) => reports.push([consumed, total]) });
    expect(reports.at(-1)).toEqual([gz.length, gz.length]);
  });

  it('reads names from pax records', async () => {
    const longName = `${'deep/'.repeat(30)}test_batch.bin`;
    const files = await readArchive(gzipSync(writeTar([{ name: longName, bytes: test, paxName: true }])), 'pax.tar.gz');
    expect(files).toHaveLength(1);
    expect(files[0]?.name).toBe(longName);
    expect(files[0]?.bytes).toEqual(test);
  });

  it.skipIf(!hasSystemTar())('reads an archive made by the system tar', async () => {
    const temp = await makeTempDir('archive-test');
    cleanups.push(temp.remove);
    const folder = path.join(temp.dir, 'cifar-10-batches-bin');
    await mkdir(folder);
    await writeFile(path.join(folder, 'data_batch_1.bin'), train);
    await writeFile(path.join(folder, 'test_batch.bin'), test);
    const archivePath = path.join(temp.dir, 'system.tar.gz');
    execFileSync('tar', ['-czf', archivePath, '-C', temp.dir, 'cifar-10-batches-bin']);

    const files = await readArchive(await readFile(archivePath), 'system.tar.gz');
    const selected = selectCifar10Files(files, 'system.tar.gz');
    expect(selected.train[0]?.bytes).toEqual(train);
    expect(selected.test.bytes).toEqual(test);
  });

  it('rejects bytes that are not an archive', async () => {
    const html = new TextEncoder().encode('<!doctype html><html></html>'.padEnd(600, ' '));
    const error = await archiveError(readArchive(html, 'page.html'));
    expect(error.archiveName).toBe('page.html');
    expect(error.message).toContain('page.html');
    expect(error.message).toContain('not a .tar.gz or .tar archive');
    expect(error.message).toContain('3c 21 64 6f');
  });

  it('rejects empty data', async () => {
    const error = await archiveError(readArchive(new Uint8Array(0), 'empty.tar.gz'));
    expect(error.message).toContain('empty.tar.gz: not a .tar.gz or .tar archive');
  });

  it('rejects truncated gzip', async () => {
    const gz = gzipSync(tar);
    const error = await archiveError(readArchive(gz.subarray(0, Math.floor(gz.length / 2)), 'cut.tar.gz'));
    expect(error.message).toContain('cut.tar.gz');
    expect(error.message).toContain('truncated or corrupt');
  });

  it('rejects corrupt gzip', async () => {
    const gz = Uint8Array.from(gzipSync(tar));
    gz.fill(0xff, 20, 60);
    const error = await archiveError(readArchive(gz, 'corrupt.tar.gz'));
    expect(error.message).toContain('corrupt.tar.gz');
  });

  it('rejects gzip that does not contain tar', async () => {
    const error = await archiveError(readArchive(gzipSync(new Uint8Array(2048).fill(7)), 'notar.gz'));
    expect(error.message).toContain('notar.gz: the data is not a tar archive');
  });

  it('rejects a tar cut inside an entry', async () => {
    const cut = tar.subarray(0, 512 * 2 + 1000);
    const error = await archiveError(readArchive(gzipSync(cut), 'cut.tar.gz'));
    expect(error.message).toContain('cut.tar.gz: truncated archive');
    expect(error.message).toContain('cifar-10-batches-bin/data_batch_1.bin');
    expect(error.message).toContain(`needs ${train.length} bytes`);
  });

  it('rejects a tar cut inside a header', async () => {
    const cut = concatBytes([writeTar([{ name: 'a.bin', bytes: train }]).subarray(0, 512 + 9728), new Uint8Array(100).fill(1)]);
    const error = await archiveError(readArchive(cut, 'cut.tar'));
    expect(error.message).toContain('cut.tar: truncated archive: it ends inside a tar header');
  });

  it('rejects a corrupt header after the first', async () => {
    // Blocks: folder header, data_batch_1.bin header, its 9,219 data bytes in 19 blocks, test_batch.bin header.
    const testHeaderOffset = 512 + 512 + 19 * 512;
    const corrupt = Uint8Array.from(tar);
    corrupt[testHeaderOffset + 5] = 0x41;
    const error = await archiveError(readArchive(corrupt, 'bad.tar'));
    expect(error.message).toContain(`bad.tar: corrupt tar header at byte ${testHeaderOffset}`);
  });
});

describe('archive detection', () => {
  it('tells gzip and tar apart', () => {
    const gz = gzipSync(tar);
    expect(isGzip(gz)).toBe(true);
    expect(isTar(gz)).toBe(false);
    expect(isTar(tar)).toBe(true);
    expect(isGzip(tar)).toBe(false);
    expect(isTar(train)).toBe(false);
    expect(isTar(new Uint8Array(1024))).toBe(false);
  });
});

describe('selectCifar10Files', () => {
  const file = (name: string): { name: string } => ({ name });

  it('picks batches by base name in batch order', () => {
    const selected = selectCifar10Files(
      [file('x/data_batch_3.bin'), file('x/test_batch.bin'), file('x/data_batch_1.bin'), file('x/batches.meta.txt')],
      'a.tar.gz',
    );
    expect(selected.train.map((entry) => entry.name)).toEqual(['x/data_batch_1.bin', 'x/data_batch_3.bin']);
    expect(selected.test.name).toBe('x/test_batch.bin');
  });

  it('rejects an archive without CIFAR-10 files', () => {
    expect(() => selectCifar10Files([file('data_batch_1'), file('readme.html')], 'other.tar.gz')).toThrow(
      'other.tar.gz: not a CIFAR-10 binary archive: expected data_batch_N.bin (N = 1-5) and test_batch.bin, found: data_batch_1, readme.html',
    );
  });

  it('rejects a missing test batch', () => {
    expect(() => selectCifar10Files([file('data_batch_1.bin')], 'a.tar.gz')).toThrow(/found: data_batch_1\.bin/);
  });

  it('rejects a missing training batch', () => {
    expect(() => selectCifar10Files([file('test_batch.bin')], 'a.tar.gz')).toThrow(/not a CIFAR-10 binary archive/);
  });

  it('words errors for picked files', () => {
    expect(() => selectCifar10Files([file('test_batch.bin')], 'Picked files', 'files')).toThrow(
      /^Picked files: missing CIFAR-10 batch files/,
    );
  });

  it('rejects a batch present twice', () => {
    expect(() =>
      selectCifar10Files([file('a/test_batch.bin'), file('b/test_batch.bin'), file('data_batch_1.bin')], 'twice.tar'),
    ).toThrow('twice.tar: test_batch.bin is present twice (a/test_batch.bin and b/test_batch.bin)');
  });

  it('ignores names that only resemble batches', () => {
    expect(isCifar10BatchName('data_batch_6.bin')).toBe(false);
    expect(isCifar10BatchName('._data_batch_1.bin')).toBe(false);
    expect(isCifar10BatchName('C:\\cifar\\data_batch_5.bin')).toBe(true);
  });
});
