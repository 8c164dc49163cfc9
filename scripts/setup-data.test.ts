import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Cifar10FormatError, RECORD_BYTES } from '../src/data/cifar10';
import { loadCifar10 } from '../src/data/load';
import {
  type TestServer,
  makeBatch,
  makeTempDir,
  sharedCifar10Dir,
  startTestServer,
  writeTar,
} from '../src/data/test-helpers';
import {
  CIFAR10_MD5,
  type DownloadProgress,
  SetupDataError,
  createProgressDisplay,
  formatDownloadProgress,
  main,
  setupData,
} from './setup-data';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const temp = await makeTempDir('setup-data-test');
  cleanups.push(temp.remove);
  return temp.dir;
}

async function serve(routes: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(routes);
  cleanups.push(() => server.close());
  return server;
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

async function readManifest(outDir: string): Promise<unknown> {
  return JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8'));
}

/** Awaits `promise`, expects it to reject with an instance of `type`, and returns the error. */
async function rejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection, but the promise resolved'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(type);
  return error as T; // Checked by the line above.
}

/** Creates a stream that records what is written to it, posing as a terminal or a pipe. */
function recordingStream(isTTY: boolean): { write: (text: string) => void; isTTY: boolean; text: () => string } {
  const parts: string[] = [];
  return { write: (text) => void parts.push(text), isTTY, text: () => parts.join('') };
}

const smallTrain = makeBatch([0, 1, 2, 3]);
const smallTest = makeBatch([9, 8]);
const smallArchive = gzipSync(
  writeTar([
    { name: 'cifar-10-batches-bin' },
    { name: 'cifar-10-batches-bin/data_batch_1.bin', bytes: smallTrain },
    { name: 'cifar-10-batches-bin/test_batch.bin', bytes: smallTest },
    { name: 'cifar-10-batches-bin/batches.meta.txt', bytes: new TextEncoder().encode('airplane\n') },
  ]),
);

describe('setupData from a local source', () => {
  it('copies the shared folder', async () => {
    const outDir = path.join(await tempDir(), 'cifar10');
    const lines: string[] = [];

    const result = await setupData({ from: sharedCifar10Dir(), outDir, log: (line) => lines.push(line) });

    expect(result.source).toBe('from');
    expect(await readManifest(outDir)).toEqual({
      files: [
        { name: 'data_batch_1.bin', bytes: 30_730_000 },
        { name: 'test_batch.bin', bytes: 30_730_000 },
      ],
    });
    for (const name of ['data_batch_1.bin', 'test_batch.bin']) {
      const copied = path.join(outDir, name);
      expect((await lstat(copied)).isSymbolicLink(), `${name} is a symbolic link`).toBe(false);
      const same = Buffer.compare(await readFile(copied), await readFile(path.join(sharedCifar10Dir(), name)));
      expect(same, `${name} differs from the shared copy`).toBe(0);
    }
    expect((await readdir(outDir)).sort()).toEqual(['data_batch_1.bin', 'manifest.json', 'test_batch.bin']);
    expect(lines).toContain('Checked data_batch_1.bin: 10000 images');
  });

  it('serves a copy loadCifar10 reads', async () => {
    const outDir = await tempDir();
    await setupData({ from: sharedCifar10Dir(), outDir });
    const routes = Object.fromEntries(
      await Promise.all(
        ['manifest.json', 'data_batch_1.bin', 'test_batch.bin'].map(async (name) => [
          `/data/cifar10/${name}`,
          { body: await readFile(path.join(outDir, name)) },
        ]),
      ),
    );
    const server = await serve(routes);

    const data = await loadCifar10({ kind: 'url', baseUrl: `${server.origin}/data/cifar10` });

    expect(data.train.count).toBe(10_000);
    expect(data.test.count).toBe(10_000);
    expect(data.train.labels[0]).toBe(6);
  });

  it('finds cifar-10-batches-bin inside a parent folder', async () => {
    const parent = await tempDir();
    await mkdir(path.join(parent, 'cifar-10-batches-bin'));
    await writeFile(path.join(parent, 'cifar-10-batches-bin', 'data_batch_2.bin'), smallTrain);
    await writeFile(path.join(parent, 'cifar-10-batches-bin', 'test_batch.bin'), smallTest);
    const outDir = await tempDir();

    await setupData({ from: parent, outDir });

    expect(await readManifest(outDir)).toEqual({
      files: [
        { name: 'data_batch_2.bin', bytes: smallTrain.length },
        { name: 'test_batch.bin', bytes: smallTest.length },
      ],
    });
  });

  it('extracts a local archive', async () => {
    const folder = await tempDir();
    const archivePath = path.join(folder, 'cifar-10-binary.tar.gz');
    await writeFile(archivePath, smallArchive);
    const outDir = await tempDir();

    await setupData({ from: archivePath, outDir });

    expect(Buffer.compare(await readFile(path.join(outDir, 'data_batch_1.bin')), smallTrain)).toBe(0);
    expect(Buffer.compare(await readFile(path.join(outDir, 'test_batch.bin')), smallTest)).toBe(0);
    expect((await readdir(outDir)).sort()).toEqual(['data_batch_1.bin', 'manifest.json', 'test_batch.bin']);
  });

  it('uses CIFAR10_DIR without --from', async () => {
    const outDir = await tempDir();

    const result = await setupData({ cifar10Dir: sharedCifar10Dir(), outDir });

    expect(result.source).toBe('CIFAR10_DIR');
    expect(result.files.map((file) => file.name)).toEqual(['data_batch_1.bin', 'test_batch.bin']);
  });

  it('writes nothing for an invalid batch', async () => {
    const folder = await tempDir();
    const bad = makeBatch([0, 1]);
    bad[RECORD_BYTES] = 12;
    await writeFile(path.join(folder, 'data_batch_1.bin'), bad);
    await writeFile(path.join(folder, 'test_batch.bin'), smallTest);
    const outDir = path.join(await tempDir(), 'cifar10');

    const error = await rejection(setupData({ from: folder, outDir }), Cifar10FormatError);

    expect(error.message).toContain('data_batch_1.bin: record 1 (0-based) has label byte 12');
    await expect(readdir(outDir)).rejects.toThrow(/ENOENT/);
  });

  it('rejects a folder without batches', async () => {
    const folder = await tempDir();
    await writeFile(path.join(folder, 'notes.txt'), 'hello');

    const error = await rejection(setupData({ from: folder, outDir: await tempDir() }), Error);

    expect(error.message).toContain(`${folder}: missing CIFAR-10 batch files`);
    expect(error.message).toContain('found: no files');
  });

  it('rejects a missing path', async () => {
    const missing = path.join(await tempDir(), 'nowhere');

    const error = await rejection(setupData({ from: missing, outDir: await tempDir() }), SetupDataError);

    expect(error.message).toContain(`${missing} not found`);
  });

  it('removes batches an earlier setup left', async () => {
    const outDir = await tempDir();
    await writeFile(path.join(outDir, 'data_batch_5.bin'), smallTrain);

    await setupData({ from: sharedCifar10Dir(), outDir });

    expect((await readdir(outDir)).sort()).toEqual(['data_batch_1.bin', 'manifest.json', 'test_batch.bin']);
  });
});

describe('setupData with an existing copy', () => {
  it('keeps a valid copy', async () => {
    const outDir = await tempDir();
    await setupData({ from: sharedCifar10Dir(), outDir });
    const lines: string[] = [];

    const result = await setupData({ outDir, url: 'http://127.0.0.1:9/never-requested', log: (line) => lines.push(line) });

    expect(result.source).toBe('existing');
    expect(lines).toEqual([`CIFAR-10 already present in ${outDir}; delete that folder to set it up again.`]);
  });

  it('downloads again when a listed file is short', async () => {
    const outDir = await tempDir();
    await setupData({ from: sharedCifar10Dir(), outDir });
    await writeFile(path.join(outDir, 'test_batch.bin'), smallTest);
    const server = await serve({ '/cifar-10-binary.tar.gz': { body: smallArchive } });
    const lines: string[] = [];

    const result = await setupData({
      outDir,
      url: `${server.origin}/cifar-10-binary.tar.gz`,
      expectedMd5: md5(smallArchive),
      log: (line) => lines.push(line),
    });

    expect(result.source).toBe('download');
    expect(lines[0]).toContain(`test_batch.bin in ${outDir} is ${smallTest.length} bytes, but the manifest lists 30730000`);
  });
});

describe('setupData by download', () => {
  it('downloads, checks and extracts an archive', async () => {
    const server = await serve({ '/cifar-10-binary.tar.gz': { body: smallArchive } });
    const parent = await tempDir();
    const outDir = path.join(parent, 'cifar10');
    const progress: DownloadProgress[] = [];

    const result = await setupData({
      url: `${server.origin}/cifar-10-binary.tar.gz`,
      outDir,
      expectedMd5: md5(smallArchive),
      onDownloadProgress: (p) => progress.push(p),
    });

    expect(result.source).toBe('download');
    expect(Buffer.compare(await readFile(path.join(outDir, 'data_batch_1.bin')), smallTrain)).toBe(0);
    expect(Buffer.compare(await readFile(path.join(outDir, 'test_batch.bin')), smallTest)).toBe(0);
    expect(progress.at(-1)).toEqual({ receivedBytes: smallArchive.length, totalBytes: smallArchive.length });
    expect(await readdir(parent), 'temporary download folder left behind').toEqual(['cifar10']);
  });

  it('extracts the real batches from a served archive', async () => {
    const tar = writeTar([
      { name: 'cifar-10-batches-bin/data_batch_1.bin', bytes: await readFile(path.join(sharedCifar10Dir(), 'data_batch_1.bin')) },
      { name: 'cifar-10-batches-bin/test_batch.bin', bytes: await readFile(path.join(sharedCifar10Dir(), 'test_batch.bin')) },
    ]);
    const archive = gzipSync(tar, { level: 1 });
    const server = await serve({ '/cifar-10-binary.tar.gz': { body: archive } });
    const outDir = await tempDir();

    await setupData({ url: `${server.origin}/cifar-10-binary.tar.gz`, outDir, expectedMd5: md5(archive) });

    for (const name of ['data_batch_1.bin', 'test_batch.bin']) {
      const same = Buffer.compare(await readFile(path.join(outDir, name)), await readFile(path.join(sharedCifar10Dir(), name)));
      expect(same, `${name} differs from the shared copy`).toBe(0);
    }
  });

  it('rejects an MD5 mismatch and leaves nothing', async () => {
    const server = await serve({ '/cifar-10-binary.tar.gz': { body: smallArchive } });
    const parent = await tempDir();
    const outDir = path.join(parent, 'cifar10');
    const url = `${server.origin}/cifar-10-binary.tar.gz`;

    const error = await rejection(setupData({ url, outDir }), SetupDataError);

    expect(error.message).toContain(`MD5 mismatch for ${url}: got ${md5(smallArchive)}, expected ${CIFAR10_MD5}`);
    expect(error.message).toContain('--from');
    expect(await readdir(parent), 'files left behind').toEqual([]);
  });

  it('rejects an HTTP error', async () => {
    const server = await serve({});
    const url = `${server.origin}/cifar-10-binary.tar.gz`;
    const parent = await tempDir();

    const error = await rejection(setupData({ url, outDir: path.join(parent, 'cifar10') }), SetupDataError);

    expect(error.message).toContain(`Could not download CIFAR-10 from ${url}: HTTP 404`);
    expect(await readdir(parent), 'files left behind').toEqual([]);
  });

  it('rejects a connection cut early', async () => {
    const server = await serve({
      '/cifar-10-binary.tar.gz': { body: smallArchive.subarray(0, 100), declaredLength: smallArchive.length },
    });
    const url = `${server.origin}/cifar-10-binary.tar.gz`;
    const parent = await tempDir();

    const error = await rejection(setupData({ url, outDir: path.join(parent, 'cifar10') }), SetupDataError);

    expect(error.message).toContain(`Could not download CIFAR-10 from ${url}`);
    expect(await readdir(parent), 'files left behind').toEqual([]);
  });

  it('abandons a stalled download', async () => {
    const server = await serve({
      '/cifar-10-binary.tar.gz': { body: smallArchive.subarray(0, 100), declaredLength: smallArchive.length, stall: true },
    });
    const url = `${server.origin}/cifar-10-binary.tar.gz`;
    const parent = await tempDir();

    const error = await rejection(
      setupData({ url, outDir: path.join(parent, 'cifar10'), idleTimeoutMs: 300 }),
      SetupDataError,
    );

    expect(error.message).toContain(`Could not download CIFAR-10 from ${url}: no data received for 0.3 s`);
    expect(await readdir(parent), 'files left behind').toEqual([]);
  });
});

describe('setup-data command line', () => {
  it('reports an unreachable server', async () => {
    const server = await serve({});
    const url = `${server.origin}/cifar-10-binary.tar.gz`;
    await cleanups.pop()?.();
    const stdout = recordingStream(false);
    const stderr = recordingStream(false);
    const outDir = await tempDir();

    const code = await main(['--url', url, '--out', outDir], {}, { stdout, stderr });

    expect(code).toBe(1);
    expect(stderr.text()).toContain(`Could not download CIFAR-10 from ${url}: fetch failed`);
    expect(stderr.text()).toContain('ECONNREFUSED');
    expect(stderr.text()).toContain('--from <path>');
    expect(stderr.text()).toContain('CIFAR10_DIR');
    expect(stderr.text()).toContain('pick cifar-10-binary.tar.gz or its .bin files in the page');
  });

  it('reads CIFAR10_DIR from the environment', async () => {
    const stdout = recordingStream(false);
    const stderr = recordingStream(false);
    const outDir = await tempDir();

    const code = await main(['--out', outDir], { CIFAR10_DIR: sharedCifar10Dir() }, { stdout, stderr });

    expect(stderr.text()).toBe('');
    expect(code).toBe(0);
    expect(stdout.text()).toContain('(source: CIFAR10_DIR)');
  });

  it('prints help', async () => {
    const stdout = recordingStream(false);
    expect(await main(['--help'], {}, { stdout, stderr: recordingStream(false) })).toBe(0);
    expect(stdout.text()).toContain('--from <path>');
  });

  it('rejects an unknown option', async () => {
    const stderr = recordingStream(false);
    expect(await main(['--form', 'x'], {}, { stdout: recordingStream(false), stderr })).toBe(2);
    expect(stderr.text()).toContain("Unknown option '--form'");
  });

  it('runs as a script under tsx', async () => {
    const outDir = await tempDir();
    const root = path.resolve(import.meta.dirname, '..');
    const run = promisify(execFile);

    const { stdout } = await run(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/setup-data.ts', '--from', sharedCifar10Dir(), '--out', outDir],
      { cwd: root, env: { ...process.env, INIT_CWD: root } },
    );

    expect(stdout).toContain(`CIFAR-10 ready in ${outDir} (source: from)`);
    expect((await readdir(outDir)).sort()).toEqual(['data_batch_1.bin', 'manifest.json', 'test_batch.bin']);
  });
});

describe('download progress display', () => {
  it('formats percent and megabytes', () => {
    expect(formatDownloadProgress({ receivedBytes: 71_600_000, totalBytes: 170_052_171 })).toBe(' 42% 71.6 of 170.1 MB');
    expect(formatDownloadProgress({ receivedBytes: 5_000_000, totalBytes: null })).toBe('5.0 MB');
  });

  it('rewrites one line on a terminal', () => {
    const stream = recordingStream(true);
    let now = 0;
    const display = createProgressDisplay(stream, () => now);

    display.update({ receivedBytes: 10, totalBytes: 100 });
    now = 50;
    display.update({ receivedBytes: 20, totalBytes: 100 });
    now = 200;
    display.update({ receivedBytes: 100, totalBytes: 100 });
    display.finish();

    const writes = stream.text().split('\r\x1b[2K').filter((part) => part !== '');
    expect(writes).toEqual([
      'Downloading cifar-10-binary.tar.gz:  10% 0.0 of 0.0 MB',
      'Downloading cifar-10-binary.tar.gz: 100% 0.0 of 0.0 MB',
      'Downloading cifar-10-binary.tar.gz: 100% 0.0 of 0.0 MB\n',
    ]);
  });

  it('prints a line per 10 % to a pipe', () => {
    const stream = recordingStream(false);
    const display = createProgressDisplay(stream);

    for (let received = 0; received <= 1000; received += 50) display.update({ receivedBytes: received, totalBytes: 1000 });
    display.finish();

    const lines = stream.text().trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('Downloading cifar-10-binary.tar.gz:  10% 0.0 of 0.0 MB');
    expect(lines.at(-1)).toBe('Downloading cifar-10-binary.tar.gz: 100% 0.0 of 0.0 MB');
  });
});
