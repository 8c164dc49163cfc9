import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestServer, makeTempDir, startTestServer } from '../src/data/test-helpers';
import { loadNamedWeights } from '../src/game/pretrained';
import { diskWeightReader } from './experiment';
import { writeKerasVggFixture } from './keras-fixture';
import { SetupWeightsError, main, setupWeights } from './setup-weights';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const temp = await makeTempDir('setup-weights-test');
  cleanups.push(temp.remove);
  return temp.dir;
}

async function serve(routes: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(routes);
  cleanups.push(() => server.close());
  return server;
}

const sharedMobileNet = path.resolve(import.meta.dirname, '../../shared/weights/mobilenet_v2_0.35_224_no_top');

/** Records what a command writes to its standard streams. */
function recordingIo(): { io: { stdout: { write(text: string): void }; stderr: { write(text: string): void } }; out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (text) => void out.push(text) }, stderr: { write: (text) => void err.push(text) } }, out: () => out.join(''), err: () => err.join('') };
}

describe('setupWeights vgg16', () => {
  it('downloads, checks the MD5 and converts', async () => {
    const dir = await tempDir();
    const h5 = await readFile(await writeFixture(dir));
    const server = await serve({ '/vgg16.h5': { body: h5 } });
    const outDir = path.join(dir, 'weights');

    const result = await setupWeights({ backbone: 'vgg16', url: `${server.origin}/vgg16.h5`, expectedMd5: createHash('md5').update(h5).digest('hex'), outDir });

    expect(result.source).toBe('download');
    const weights = await loadNamedWeights(diskWeightReader(path.join(outDir, 'vgg16')));
    expect(weights.get('fc1/kernel')?.shape).toEqual([64, 512]);
    expect(weights.get('block5_conv3/bias')?.shape).toEqual([64]);
    // The temporary download is gone.
    expect(await readdir(outDir)).toEqual(['vgg16']);
  });

  it('rejects a download with the wrong MD5 and writes nothing', async () => {
    const dir = await tempDir();
    const h5 = await readFile(await writeFixture(dir));
    const server = await serve({ '/vgg16.h5': { body: h5 } });
    const outDir = path.join(dir, 'weights');

    const failure = setupWeights({ backbone: 'vgg16', url: `${server.origin}/vgg16.h5`, expectedMd5: '0'.repeat(32), outDir });

    await expect(failure).rejects.toThrow(SetupWeightsError);
    await expect(failure).rejects.toThrow(/MD5 mismatch/);
    expect(await readdir(outDir)).toEqual([]);
  });

  it('reports an unreachable server with the offline alternatives', async () => {
    const server = await serve({});
    const failure = setupWeights({ backbone: 'vgg16', url: `${server.origin}/missing.h5`, outDir: await tempDir() });
    await expect(failure).rejects.toThrow(/HTTP 404.*--from <file.h5>/);
  });

  it('keeps a complete copy', async () => {
    const dir = await tempDir();
    const outDir = path.join(dir, 'weights');
    await setupWeights({ backbone: 'vgg16', from: await writeFixture(dir), outDir });
    const result = await setupWeights({ backbone: 'vgg16', url: 'http://127.0.0.1:9/never-fetched', outDir });
    expect(result.source).toBe('existing');
  });
});

describe('setupWeights mobilenetv2', () => {
  it('copies a local folder', async () => {
    const outDir = await tempDir();
    const result = await setupWeights({ backbone: 'mobilenetv2', fromEnvironment: sharedMobileNet, outDir });
    expect(result.source).toBe('environment');
    expect((await readdir(result.folder)).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('downloads model.json and the files it lists', async () => {
    const modelJson = await readFile(path.join(sharedMobileNet, 'model.json'));
    const weights = await readFile(path.join(sharedMobileNet, 'weights.bin'));
    const server = await serve({ '/models/mobilenet/model.json': { body: modelJson }, '/models/mobilenet/weights.bin': { body: weights } });
    const result = await setupWeights({ backbone: 'mobilenetv2', url: `${server.origin}/models/mobilenet/model.json`, outDir: await tempDir() });
    expect(result.source).toBe('download');
    expect(server.requests).toEqual(['/models/mobilenet/model.json', '/models/mobilenet/weights.bin']);
    expect(Buffer.compare(await readFile(path.join(result.folder, 'weights.bin')), weights)).toBe(0);
  });

  it('rejects weight files shorter than model.json lists', async () => {
    const modelJson = await readFile(path.join(sharedMobileNet, 'model.json'));
    const server = await serve({ '/model.json': { body: modelJson }, '/weights.bin': { body: new Uint8Array(100) } });
    const failure = setupWeights({ backbone: 'mobilenetv2', url: `${server.origin}/model.json`, outDir: await tempDir() });
    await expect(failure).rejects.toThrow(/hold 100 bytes, but model.json lists 1640832/);
  });
});

describe('setup-weights command line', () => {
  it('rejects a missing or unknown backbone', async () => {
    const recorded = recordingIo();
    expect(await main([], {}, recorded.io)).toBe(2);
    expect(await main(['resnet'], {}, recorded.io)).toBe(2);
    expect(recorded.err()).toMatch(/expected one backbone, vgg16 or mobilenetv2/);
  });

  it('reads the folder named by MOBILENET_V2_DIR', async () => {
    const recorded = recordingIo();
    const outDir = await tempDir();
    expect(await main(['mobilenetv2', '--out', outDir], { MOBILENET_V2_DIR: sharedMobileNet }, recorded.io)).toBe(0);
    expect(recorded.out()).toMatch(/mobilenetv2 weights ready in .* \(source: environment\)/);
  });
});

async function writeFixture(dir: string): Promise<string> {
  const file = path.join(dir, 'fixture.h5');
  await writeKerasVggFixture(file, 'keras2');
  return file;
}
