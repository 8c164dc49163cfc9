import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DataFile } from '../worker/protocol';
import { ArchiveError } from './archive';
import { Cifar10FormatError, IMAGE_BYTES, RECORD_BYTES, parseCifar10Batch } from './cifar10';
import { Cifar10LoadError, type LoadProgress, loadCifar10, parseManifest } from './load';
import { type Route, type TestServer, makeBatch, sharedCifar10Dir, startTestServer, writeTar } from './test-helpers';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(routes: Record<string, Route>, fallback?: Route): Promise<TestServer> {
  const server = await startTestServer(routes, fallback);
  servers.push(server);
  return server;
}

function manifestRoute(files: { name: string; bytes: number }[]): Route {
  return { body: JSON.stringify({ files }), contentType: 'application/json' };
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

/** Copies `bytes` into a DataFile of its own ArrayBuffer (a Node Buffer may be a view of a shared pool). */
function dataFile(name: string, bytes: Uint8Array): DataFile {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return { name, bytes: copy.buffer };
}

describe('loadCifar10 from a url', () => {
  let dataBatch1: Uint8Array;
  let testBatch: Uint8Array;

  beforeAll(async () => {
    dataBatch1 = await readFile(path.join(sharedCifar10Dir(), 'data_batch_1.bin'));
    testBatch = await readFile(path.join(sharedCifar10Dir(), 'test_batch.bin'));
  });

  it('loads the shared batches with progress', async () => {
    const server = await serve({
      '/data/cifar10/manifest.json': manifestRoute([
        { name: 'data_batch_1.bin', bytes: dataBatch1.length },
        { name: 'test_batch.bin', bytes: testBatch.length },
      ]),
      '/data/cifar10/data_batch_1.bin': { body: dataBatch1 },
      '/data/cifar10/test_batch.bin': { body: testBatch },
    });
    const reports: LoadProgress[] = [];

    const data = await loadCifar10({ kind: 'url', baseUrl: `${server.origin}/data/cifar10/` }, (p) => reports.push(p));

    expect(data.train.count).toBe(10_000);
    expect(data.test.count).toBe(10_000);
    expect(data.train.labels[0]).toBe(6);
    expect(data.test.labels[0]).toBe(3);
    const expectedPixels = parseCifar10Batch(dataBatch1, 'data_batch_1.bin').pixels;
    expect(Buffer.compare(data.train.pixels, expectedPixels), 'train pixels differ from the parsed file').toBe(0);
    expect(data.sourceLabel).toContain(server.origin);
    expect(data.sourceLabel).toContain('data_batch_1.bin, test_batch.bin');
    expect(server.requests).toEqual([
      '/data/cifar10/manifest.json',
      '/data/cifar10/data_batch_1.bin',
      '/data/cifar10/test_batch.bin',
    ]);

    const total = dataBatch1.length + testBatch.length;
    expect(reports.length).toBeGreaterThan(10);
    expect(reports.every((p) => p.totalBytes === total)).toBe(true);
    const loaded = reports.map((p) => p.loadedBytes);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(loaded.at(-1)).toBe(total);
    expect(reports.some((p) => p.message.startsWith('Downloading data_batch_1.bin (1 of 2)'))).toBe(true);
    expect(reports.some((p) => p.message.startsWith('Downloading test_batch.bin (2 of 2)'))).toBe(true);
    expect(reports.some((p) => p.message === 'Parsing test_batch.bin')).toBe(true);
  });

  it('joins training batches in batch order', async () => {
    const first = makeBatch([1, 1]);
    const second = makeBatch([2, 2, 2]);
    const test = makeBatch([0]);
    const server = await serve({
      '/manifest.json': manifestRoute([
        { name: 'test_batch.bin', bytes: test.length },
        { name: 'data_batch_2.bin', bytes: second.length },
        { name: 'data_batch_1.bin', bytes: first.length },
      ]),
      '/data_batch_1.bin': { body: first },
      '/data_batch_2.bin': { body: second },
      '/test_batch.bin': { body: test },
    });

    const data = await loadCifar10({ kind: 'url', baseUrl: server.origin });

    expect(data.train.count).toBe(5);
    expect(Array.from(data.train.labels)).toEqual([1, 1, 2, 2, 2]);
    expect(data.train.pixels.length).toBe(5 * IMAGE_BYTES);
    expect(data.test.count).toBe(1);
  });

  it('rejects a partial file', async () => {
    const test = makeBatch([0, 1]);
    const server = await serve({
      '/manifest.json': manifestRoute([
        { name: 'data_batch_1.bin', bytes: dataBatch1.length },
        { name: 'test_batch.bin', bytes: test.length },
      ]),
      '/data_batch_1.bin': { body: dataBatch1.subarray(0, 5000 * RECORD_BYTES) },
      '/test_batch.bin': { body: test },
    });

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: server.origin }), Cifar10LoadError);

    expect(error.message).toContain('data_batch_1.bin: incomplete download');
    expect(error.message).toContain(`expected ${dataBatch1.length} bytes`);
    expect(error.message).toContain(`received ${5000 * RECORD_BYTES}`);
  });

  it('rejects a connection cut before Content-Length', async () => {
    const test = makeBatch([0, 1]);
    const server = await serve({
      '/manifest.json': manifestRoute([
        { name: 'data_batch_1.bin', bytes: dataBatch1.length },
        { name: 'test_batch.bin', bytes: test.length },
      ]),
      '/data_batch_1.bin': { body: dataBatch1.subarray(0, 1000), declaredLength: dataBatch1.length },
      '/test_batch.bin': { body: test },
    });

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: server.origin }), Cifar10LoadError);

    expect(error.message).toContain('data_batch_1.bin: incomplete download');
    expect(error.message).toContain(`expected ${dataBatch1.length} bytes`);
  });

  it('rejects a file longer than listed', async () => {
    const train = makeBatch([1, 2]);
    const server = await serve({
      '/manifest.json': manifestRoute([
        { name: 'data_batch_1.bin', bytes: RECORD_BYTES },
        { name: 'test_batch.bin', bytes: RECORD_BYTES },
      ]),
      '/data_batch_1.bin': { body: train },
      '/test_batch.bin': { body: makeBatch([0]) },
    });

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: server.origin }), Cifar10LoadError);

    expect(error.message).toContain(`data_batch_1.bin: ${server.origin}/data_batch_1.bin sent more than the 3073 bytes listed`);
    expect(error.message).toContain('npm run setup-data');
  });

  it('rejects a missing manifest', async () => {
    const server = await serve({});

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: `${server.origin}/data/cifar10` }), Cifar10LoadError);

    expect(error.message).toContain(`${server.origin}/data/cifar10/manifest.json was not found (HTTP 404)`);
    expect(error.message).toContain('npm run setup-data');
    expect(error.message).toContain('pick');
  });

  it('rejects an HTML page in place of the manifest', async () => {
    const page = { body: '<!doctype html><html><body>app</body></html>', contentType: 'text/html' };
    const server = await serve({}, page);

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: server.origin }), Cifar10LoadError);

    expect(error.message).toContain('manifest.json is not JSON');
    expect(error.message).toContain('<!doctype html>');
    expect(error.message).toContain('npm run setup-data');
  });

  it('rejects a missing listed file', async () => {
    const server = await serve({
      '/manifest.json': manifestRoute([
        { name: 'data_batch_1.bin', bytes: RECORD_BYTES },
        { name: 'test_batch.bin', bytes: RECORD_BYTES },
      ]),
    });

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: server.origin }), Cifar10LoadError);

    expect(error.message).toContain('data_batch_1.bin: download failed with HTTP 404');
  });

  it('rejects an unreachable server', async () => {
    const server = await serve({});
    const origin = server.origin;
    await servers.splice(0)[0]?.close();

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: origin }), Cifar10LoadError);

    expect(error.message).toContain(`could not fetch ${origin}/manifest.json`);
    expect(error.message).toContain('npm run setup-data');
  });

  it('rejects a manifest without a test batch', async () => {
    const server = await serve({ '/manifest.json': manifestRoute([{ name: 'data_batch_1.bin', bytes: RECORD_BYTES }]) });

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: server.origin }), Error);

    expect(error.message).toContain('manifest.json: the manifest lacks CIFAR-10 batch files');
    expect(error.message).toContain('found: data_batch_1.bin');
  });

  it('reports a corrupt batch by name', async () => {
    const bad = makeBatch([0, 1]);
    bad[RECORD_BYTES] = 200;
    const server = await serve({
      '/manifest.json': manifestRoute([
        { name: 'data_batch_1.bin', bytes: bad.length },
        { name: 'test_batch.bin', bytes: RECORD_BYTES },
      ]),
      '/data_batch_1.bin': { body: bad },
      '/test_batch.bin': { body: makeBatch([0]) },
    });

    const error = await rejection(loadCifar10({ kind: 'url', baseUrl: server.origin }), Cifar10FormatError);

    expect(error.message).toContain('data_batch_1.bin: record 1 (0-based) has label byte 200');
  });
});

describe('parseManifest', () => {
  it('accepts the setup format', () => {
    const manifest = parseManifest({ files: [{ name: 'test_batch.bin', bytes: 30730000 }] }, 'm.json');
    expect(manifest).toEqual({ files: [{ name: 'test_batch.bin', bytes: 30730000 }] });
  });

  it.each([
    [{}, 'expected an object with a "files" array'],
    [{ files: [{ name: 'a.bin' }] }, 'files[0] needs "name" and "bytes"'],
    [{ files: [{ name: '../secret.bin', bytes: 1 }] }, 'files[0].name must be a plain file name'],
    [{ files: [{ name: 'a.bin', bytes: -1 }] }, 'files[0].bytes must be a non-negative integer'],
    [{ files: [{ name: 'a.bin', bytes: 1.5 }] }, 'files[0].bytes must be a non-negative integer'],
  ])('rejects %j', (value, problem) => {
    expect(() => parseManifest(value, 'm.json')).toThrow(`m.json: invalid CIFAR-10 manifest: ${problem}`);
  });
});

describe('loadCifar10 from files', () => {
  const train = makeBatch([3, 4]);
  const test = makeBatch([5]);

  it('loads loose batch files', async () => {
    const files = [
      dataFile('cifar-10-batches-bin/test_batch.bin', test),
      dataFile('cifar-10-batches-bin/data_batch_1.bin', train),
      dataFile('cifar-10-batches-bin/batches.meta.txt', new TextEncoder().encode('airplane\n')),
    ];
    const reports: LoadProgress[] = [];

    const data = await loadCifar10({ kind: 'files', files }, (p) => reports.push(p));

    expect(Array.from(data.train.labels)).toEqual([3, 4]);
    expect(Array.from(data.test.labels)).toEqual([5]);
    expect(data.sourceLabel).toBe('picked files (data_batch_1.bin, test_batch.bin)');
    expect(reports.map((p) => p.message)).toEqual(['Parsing data_batch_1.bin', 'Parsing test_batch.bin']);
  });

  it('loads a .tar.gz archive', async () => {
    const tar = writeTar([
      { name: 'cifar-10-batches-bin' },
      { name: 'cifar-10-batches-bin/data_batch_1.bin', bytes: train },
      { name: 'cifar-10-batches-bin/test_batch.bin', bytes: test },
      { name: 'cifar-10-batches-bin/readme.html', bytes: new TextEncoder().encode('<p></p>') },
    ]);
    const archive = gzipSync(tar);
    const reports: LoadProgress[] = [];

    const data = await loadCifar10({ kind: 'files', files: [dataFile('cifar-10-binary.tar.gz', archive)] }, (p) =>
      reports.push(p),
    );

    expect(Array.from(data.train.labels)).toEqual([3, 4]);
    expect(data.test.count).toBe(1);
    expect(data.sourceLabel).toBe('cifar-10-binary.tar.gz (data_batch_1.bin, test_batch.bin)');
    expect(reports[0]?.message).toBe('Decompressing cifar-10-binary.tar.gz');
    expect(reports.some((p) => p.loadedBytes === archive.length && p.totalBytes === archive.length)).toBe(true);
  });

  it('detects an archive by content, not name', async () => {
    const tar = writeTar([
      { name: 'data_batch_1.bin', bytes: train },
      { name: 'test_batch.bin', bytes: test },
    ]);

    const data = await loadCifar10({ kind: 'files', files: [dataFile('download', tar)] });

    expect(data.train.count).toBe(2);
  });

  it('rejects an archive without CIFAR-10 files', async () => {
    const archive = gzipSync(writeTar([{ name: 'photos/cat.jpg', bytes: new Uint8Array(10) }]));

    const error = await rejection(loadCifar10({ kind: 'files', files: [dataFile('photos.tar.gz', archive)] }), Error);

    expect(error.message).toContain('photos.tar.gz: not a CIFAR-10 binary archive');
    expect(error.message).toContain('found: no CIFAR-10 batch file');
  });

  it('rejects a truncated archive', async () => {
    const archive = gzipSync(writeTar([{ name: 'data_batch_1.bin', bytes: train }]));
    const cut = archive.subarray(0, archive.length - 30);

    const error = await rejection(loadCifar10({ kind: 'files', files: [dataFile('cut.tar.gz', cut)] }), ArchiveError);

    expect(error.message).toContain('cut.tar.gz');
  });

  it('rejects files that are neither batches nor archives', async () => {
    const files = [dataFile('notes.txt', new TextEncoder().encode('hello'))];

    const error = await rejection(loadCifar10({ kind: 'files', files }), Cifar10LoadError);

    expect(error.message).toContain('Picked files: no CIFAR-10 batch file and no .tar.gz or .tar archive among notes.txt');
  });

  it('rejects loose files without a test batch', async () => {
    const error = await rejection(loadCifar10({ kind: 'files', files: [dataFile('data_batch_1.bin', train)] }), Error);

    expect(error.message).toContain('Picked files: missing CIFAR-10 batch files');
  });

  it('reports a truncated pick before missing files', async () => {
    const files = [dataFile('data_batch_1.bin', train.subarray(0, 5000))];

    const error = await rejection(loadCifar10({ kind: 'files', files }), Error);

    expect(error.message).toContain('data_batch_1.bin');
    expect(error.message).toContain('not a multiple of 3073');
  });

  it('rejects a file named like an archive that is not one', async () => {
    const files = [dataFile('notes.tar.gz', new TextEncoder().encode('plain text'))];

    const error = await rejection(loadCifar10({ kind: 'files', files }), Cifar10LoadError);

    expect(error.message).toContain('notes.tar.gz is not a valid gzip or tar archive');
  });

  it('rejects several archives', async () => {
    const tar = writeTar([{ name: 'x.bin', bytes: train }]);
    const files = [dataFile('a.tar', tar), dataFile('b.tar', tar)];

    const error = await rejection(loadCifar10({ kind: 'files', files }), Cifar10LoadError);

    expect(error.message).toContain('Picked files: 2 archives (a.tar, b.tar)');
  });
});
