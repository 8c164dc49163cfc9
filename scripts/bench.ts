/**
 * Times training steps of the referential game in headless Chromium, on every backend the
 * browser offers. It prints one table with games per second, milliseconds per step and per part,
 * peak tensor memory and FLOPs per step. Beside them are the backend's measured matmul
 * throughput and the model FLOP utilisation.
 *
 * Usage: npm run bench -- [options]; `npm run bench -- --help` lists them.
 *
 * It serves bench.html from a Vite development server on 127.0.0.1 with the app's cross-origin
 * isolation headers, and drives it with playwright-core and the system's Chromium.
 */
import os from 'node:os';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type Browser, type Page, chromium } from 'playwright-core';
import { createServer } from 'vite';
import type { AdapterReport } from '../src/bench/page';
import { benchNotes, benchTable } from '../src/bench/report';
import type { BackendResult, BenchCase, CaseResult, MatmulResult } from '../src/bench/results';
import { type Augmentation, type Backbone, DEFAULT_RUN_CONFIG, type ExtractorMode, type RotationTask, type RunConfig, isExtractorTrainable } from '../src/game/config';

/** Chromium flags for a closed network, with WebGPU enabled so that its adapter can be probed. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];

const EXTRACTOR_MODES: ExtractorMode[] = ['pretrained-fixed', 'random-frozen', 'learned'];

/** Sender-image variants: augmentation and rotation task. */
const VARIANTS: Record<string, { augmentation: Augmentation; rotationTask: RotationTask }> = {
  clean: { augmentation: 'none', rotationTask: 'none' },
  noise: { augmentation: 'noise', rotationTask: 'none' },
  rotation: { augmentation: 'rotation', rotationTask: 'none' },
  'rotation-sender': { augmentation: 'rotation', rotationTask: 'sender-predicts' },
  'rotation-receiver': { augmentation: 'rotation', rotationTask: 'receiver-predicts' },
};

const DEFAULT_CASES = [
  'pretrained-fixed/clean',
  'random-frozen/clean',
  'learned/clean',
  'random-frozen/noise',
  'pretrained-fixed/rotation-sender',
  'pretrained-fixed/rotation-receiver',
];

const HELP = `Usage: npm run bench -- [options]

  --cases LIST          comma-separated extractor/variant cases (default ${DEFAULT_CASES.join(',')})
                        extractors: ${EXTRACTOR_MODES.join(', ')}; variants: ${Object.keys(VARIANTS).join(', ')}
  --backbone NAME       vgg16 (the paper's, default) or narrow (1/8 of the channels)
  --batch N             images per batch, each the target of one game (default 128)
  --steps N             timed steps of a frozen-extractor case (default 5)
  --learned-steps N     timed steps of a learned-extractor case (default 2)
  --warmup N            untimed steps before timing; learned cases take 1 (default 2)
  --instrumented N      steps timed part by part; learned cases take 1 (default 2)
  --backends LIST       wasm,webgpu (default both; webgpu is skipped without a hardware adapter)
  --webgpu-software     measure WebGPU on a software adapter too (about 100x slower than wasm here)
  --matmul-repeats N    timed products per matmul shape (default 5)
  --port N              port of the bench page's server on 127.0.0.1 (default 4391)
  --json FILE           also write every measurement as JSON
`;

interface Options {
  cases: string[];
  backbone: Exclude<Backbone, 'mobilenetv2'>;
  batchSize: number;
  steps: number;
  learnedSteps: number;
  warmup: number;
  instrumented: number;
  backends: ('wasm' | 'webgpu')[];
  webgpuSoftware: boolean;
  matmulRepeats: number;
  port: number;
  json: string | null;
}

function nonNegativeInteger(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`invalid --${name}: expected a non-negative integer, got ${value}`);
  return parsed;
}

function parseOptions(): Options | null {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: DEFAULT_CASES.join(',') },
      backbone: { type: 'string', default: 'vgg16' },
      batch: { type: 'string', default: String(DEFAULT_RUN_CONFIG.batchSize) },
      steps: { type: 'string', default: '5' },
      'learned-steps': { type: 'string', default: '2' },
      warmup: { type: 'string', default: '2' },
      instrumented: { type: 'string', default: '2' },
      backends: { type: 'string', default: 'wasm,webgpu' },
      'webgpu-software': { type: 'boolean', default: false },
      'matmul-repeats': { type: 'string', default: '5' },
      port: { type: 'string', default: '4391' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  if (values.backbone !== 'vgg16' && values.backbone !== 'narrow') throw new Error(`invalid --backbone: expected vgg16 or narrow, got ${values.backbone}`);
  const backends = values.backends.split(',');
  for (const backend of backends) {
    if (backend !== 'wasm' && backend !== 'webgpu') throw new Error(`invalid --backends entry: expected wasm or webgpu, got ${backend}`);
  }
  return {
    cases: values.cases.split(',').filter((name) => name !== ''),
    backbone: values.backbone,
    batchSize: Math.max(1, nonNegativeInteger('batch', values.batch)),
    steps: Math.max(1, nonNegativeInteger('steps', values.steps)),
    learnedSteps: Math.max(1, nonNegativeInteger('learned-steps', values['learned-steps'])),
    warmup: nonNegativeInteger('warmup', values.warmup),
    instrumented: nonNegativeInteger('instrumented', values.instrumented),
    backends: backends as ('wasm' | 'webgpu')[],
    webgpuSoftware: values['webgpu-software'],
    matmulRepeats: Math.max(1, nonNegativeInteger('matmul-repeats', values['matmul-repeats'])),
    port: nonNegativeInteger('port', values.port),
    json: values.json ?? null,
  };
}

/** Builds a case from its name, such as `learned/noise`. */
function benchCaseOf(name: string, options: Options): BenchCase {
  const [mode, variantName = 'clean'] = name.split('/');
  if (!EXTRACTOR_MODES.includes(mode as ExtractorMode)) throw new Error(`invalid extractor mode in case ${name}: expected one of ${EXTRACTOR_MODES.join(', ')}`);
  const variant = VARIANTS[variantName];
  if (variant === undefined) throw new Error(`invalid variant in case ${name}: expected one of ${Object.keys(VARIANTS).join(', ')}`);
  const extractor = mode as ExtractorMode;
  // A frozen extractor's weights do not change the work of a step, and ImageNet VGG16 weights are
  // a 528 MB download that an offline machine lacks, so the pretrained cases time random weights.
  const substitution = extractor === 'pretrained-fixed' ? `timed with random frozen ${options.backbone} weights, because a frozen extractor's weight values do not change a step's work and ImageNet VGG16 weights are not available offline` : null;
  const config: RunConfig = { ...DEFAULT_RUN_CONFIG, ...variant, backbone: options.backbone, batchSize: options.batchSize, extractor: extractor === 'pretrained-fixed' ? 'random-frozen' : extractor };
  const learned = isExtractorTrainable(config.extractor);
  return {
    name,
    config,
    substitution,
    warmupSteps: learned ? Math.min(1, options.warmup) : options.warmup,
    timedSteps: learned ? options.learnedSteps : options.steps,
    instrumentedSteps: learned ? Math.min(1, options.instrumented) : options.instrumented,
  };
}

/** Matmul shapes of the model at the options' sizes: LSTM gates, fc7, a VGG block-2 convolution as im2col, and a square. */
function matmulShapes(options: Options): [number, number, number][] {
  const { hiddenSize, embeddingSize } = DEFAULT_RUN_CONFIG;
  const width = options.backbone === 'vgg16' ? 1 : 8;
  const featureSize = 4096 / width;
  const channels = 128 / width;
  return [
    [options.batchSize, embeddingSize + hiddenSize, 4 * hiddenSize],
    [options.batchSize, featureSize, featureSize],
    [options.batchSize * 16 * 16, 9 * channels, channels],
    [1024, 1024, 1024],
  ];
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function openBenchPage(browser: Browser, port: number): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => progress(`page error: ${error.message}`));
  await page.goto(`http://127.0.0.1:${port}/bench.html`);
  await page.waitForFunction(() => window.bench !== undefined, undefined, { timeout: 120_000 });
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  if (!isolated) throw new Error('the bench page is not cross-origin isolated: check the COOP and COEP headers in vite.config.ts');
  return page;
}

/** Returns why a backend cannot be measured, or null when it can. */
async function skipReason(page: Page, backend: 'wasm' | 'webgpu', options: Options): Promise<{ reason: string | null; adapter: AdapterReport | null }> {
  if (backend === 'wasm') return { reason: null, adapter: null };
  const adapter = await page.evaluate(() => window.bench!.probeWebgpu());
  if (!adapter.available) return { reason: adapter.description, adapter };
  if (adapter.software && !options.webgpuSoftware) {
    return { reason: `the only WebGPU adapter is a software renderer (${adapter.description}), about 100x slower than wasm; pass --webgpu-software to measure it anyway`, adapter };
  }
  return { reason: null, adapter };
}

async function measureBackend(browser: Browser, backend: 'wasm' | 'webgpu', cases: BenchCase[], options: Options): Promise<BackendResult> {
  const page = await openBenchPage(browser, options.port);
  try {
    const { reason, adapter } = await skipReason(page, backend, options);
    const label = adapter?.software === true ? `${backend} (software)` : backend;
    if (reason !== null) return { backend, label, skipped: reason, details: '', matmul: [], cases: [] };
    const details = await page.evaluate((name) => window.bench!.useBackend(name), backend);
    progress(`${label}: ${details}`);
    const matmul: MatmulResult[] = [];
    for (const [m, k, n] of matmulShapes(options)) {
      matmul.push(await page.evaluate(([a, b, c, repeats]) => window.bench!.measureMatmul(a, b, c, repeats), [m, k, n, options.matmulRepeats] as const));
    }
    const results: CaseResult[] = [];
    for (const benchCase of cases) {
      progress(`${label}: timing ${benchCase.name} (${benchCase.warmupSteps} warm-up, ${benchCase.timedSteps} timed, ${benchCase.instrumentedSteps} instrumented steps)`);
      const started = performance.now();
      results.push(await page.evaluate((c) => window.bench!.runCase(c), benchCase));
      progress(`${label}: ${benchCase.name} took ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    return { backend, label, skipped: null, details, matmul, cases: results };
  } finally {
    await page.close();
  }
}

function machineLine(chromiumVersion: string): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((value) => value.toFixed(2)).join(', ');
  return `Machine: ${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}; Chromium ${chromiumVersion}; Node ${process.version}; load average ${load} (1, 5, 15 min) at the end.`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (options === null) {
    process.stdout.write(HELP);
    return;
  }
  const cases = options.cases.map((name) => benchCaseOf(name, options));
  const server = await createServer({ logLevel: 'warn', server: { host: '127.0.0.1', port: options.port, strictPort: true } });
  await server.listen();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const backends: BackendResult[] = [];
    for (const backend of options.backends) backends.push(await measureBackend(browser, backend, cases, options));
    const lines = [
      `Training steps of ${options.backbone} at batch ${options.batchSize}, headless Chromium; medians (ranges) over the timed steps.`,
      machineLine(browser.version()),
      '',
      benchTable(backends),
      '',
      'games/s and step ms: whole uninstrumented steps (batch, training step, one readback of the figures).',
      'batch ... optimiser: median ms of each part, forward and backward, from instrumented steps that wait for every part\'s results (sync overhead included); "instrumented ms" is their whole step.',
      'batch: BatchFeeder.next, which gathers pixels, augments them, reads the frozen feature cache and encodes noisy images with a frozen extractor.',
      'peak MB: tf.profile peakBytes over one more step. tensors +: tensors alive after the timed steps minus before (0 = flat memory).',
      'GFLOP/step: matrix products and convolutions counted analytically (src/bench/flops.ts), trained parts x3. MFU: (GFLOP/step / median step time) / fastest tf.matMul product of the shapes below, all timed in the same page.',
      ...benchNotes(backends),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (options.json !== null) await writeFile(options.json, JSON.stringify({ options, backends }, null, 2));
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
