/**
 * Trains in the real page for a long time and reports memory at intervals, to show that a long
 * lecture does not leak: the worker's tensors, the page's JavaScript heap and the whole browser's
 * resident memory.
 *
 * Usage: npm run soak -- [--minutes 30] [--interval 60] [--link "/?backbone=narrow&seed=1"] [--port 4390] [--no-build]
 * Needs CIFAR-10 in public/data/cifar10 (`npm run setup-data`) and Chromium (CHROMIUM_PATH, else
 * /usr/bin/chromium). Exits with status 1 when the tensor count grew or an error appeared on the page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Page, chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { type MemorySample, describeSoak, processTreeRssKb } from './soakReport';

/** Build folder of the soak's own copy of the page, so that other builds cannot replace it mid-run. */
const OUT_DIR = 'dist-soak';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

async function sample(page: Page, startedAt: number, browserPid: number): Promise<MemorySample> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const heap = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? NaN;
  const memory = page.getByTestId('tensor-memory');
  return {
    minutes: (Date.now() - startedAt) / 60_000,
    step: Number(await page.getByTestId('step').textContent()),
    gamesPerSecond: Number(await page.getByTestId('games-per-second').textContent()),
    tensorCount: Number(await memory.getAttribute('data-tensors')),
    tensorMB: Number.parseFloat((await memory.textContent()) ?? ''),
    pageHeapMB: heap / 2 ** 20,
    browserRssMB: processTreeRssKb(execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=']).toString(), browserPid) / 1024,
    errors: await page.getByTestId('error').count(),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '30' },
      interval: { type: 'string', default: '60' },
      link: { type: 'string', default: '/?backbone=narrow&evalInterval=100&seed=1' },
      port: { type: 'string', default: '4390' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  if (!existsSync('public/data/cifar10/manifest.json')) throw new Error('public/data/cifar10 has no CIFAR-10: run `npm run setup-data` first.');
  if (!values['no-build']) await build({ logLevel: 'warn', build: { outDir: OUT_DIR } });
  const server = await preview({ build: { outDir: OUT_DIR }, preview: { host: '127.0.0.1', port: Number(values.port), strictPort: true }, logLevel: 'warn' });
  const browserServer = await chromium.launchServer({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const samples: MemorySample[] = [];
  try {
    const page = await browser.newPage();
    await page.goto(new URL(values.link, `http://127.0.0.1:${values.port}/`).href);
    await page.getByTestId('train-images').filter({ hasText: /^\d+$/ }).waitFor({ timeout: 180_000 });
    await page.getByTestId('train-button').click();
    const startedAt = Date.now();
    const endAt = startedAt + Number(values.minutes) * 60_000;
    console.log(`soak: ${values.minutes} minutes of ${values.link}, a sample every ${values.interval} s`);
    console.log(describeSoak([]).header);
    const browserPid = browserServer.process().pid ?? -1;
    while (Date.now() < endAt) {
      await page.waitForTimeout(Math.min(Number(values.interval) * 1000, Math.max(0, endAt - Date.now())));
      const latest = await sample(page, startedAt, browserPid);
      samples.push(latest);
      console.log(describeSoak([latest]).rows[0]);
    }
  } finally {
    await browser.close();
    await browserServer.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  const report = describeSoak(samples);
  console.log(report.summary);
  process.exitCode = report.ok ? 0 : 1;
}

await main();
