import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Page, expect, test } from '@playwright/test';
import { currentLoss, currentStep, waitForStep } from './helpers';

/** The CIFAR-10 copy the preview server serves; the same default as the Playwright config. */
const DATA_DIR = process.env.CIFAR10_DIR ?? path.resolve(import.meta.dirname, '../../shared/cifar10/cifar-10-batches-bin');

/** Bytes of one CIFAR-10 record: a label byte and 32x32x3 pixels. */
const RECORD_BYTES = 3073;

/** A small game with no step limit, evaluated often. */
const SMALL_RUN = '/?backbone=narrow&batchSize=16&evalInterval=3&evalGames=16&seed=5';

async function openLink(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
}

/** Returns the first half of a .tar.gz archive of data_batch_1.bin, as a download cut off halfway leaves it. */
function halfArchive(): Buffer {
  const archive = execFileSync('tar', ['-czf', '-', '-C', DATA_DIR, 'data_batch_1.bin'], { maxBuffer: 1 << 28 });
  return archive.subarray(0, Math.floor(archive.length / 2));
}

/** Returns the text of the newest error on screen. */
async function latestError(page: Page): Promise<string> {
  const items = page.getByTestId('error').locator('.error-message');
  await expect(items.first()).toBeVisible();
  return (await items.last().textContent()) ?? '';
}

test('bad data files are rejected by name and the loaded images stay', async ({ page }) => {
  await openLink(page, '/');
  const trainImages = await page.getByTestId('train-images').textContent();
  const batch = readFileSync(path.join(DATA_DIR, 'data_batch_1.bin'));
  const badLabel = Buffer.from(batch.subarray(0, RECORD_BYTES * 4));
  badLabel[RECORD_BYTES * 2] = 12;
  const cases: { name: string; buffer: Buffer; expected: RegExp }[] = [
    { name: 'data_batch_1.bin', buffer: batch.subarray(0, RECORD_BYTES * 10 + 100), expected: /data_batch_1\.bin: truncated or not a CIFAR-10 batch/ },
    { name: 'data_batch_2.bin', buffer: Buffer.concat([batch, batch.subarray(0, RECORD_BYTES)]), expected: /data_batch_2\.bin: oversized file/ },
    { name: 'test_batch.bin', buffer: badLabel, expected: /test_batch\.bin: record 2 \(0-based\) has label byte 12/ },
    { name: 'data_batch_3.bin', buffer: Buffer.alloc(0), expected: /data_batch_3\.bin: the file is empty/ },
    // An error page saved under the archive's name.
    { name: 'cifar-10-binary.tar.gz', buffer: Buffer.from('<html>Not Found</html>'), expected: /^cifar-10-binary\.tar\.gz is not a valid gzip or tar archive/ },
    { name: 'photos.tar.gz', buffer: gzipSync(Buffer.from('not a tar archive, only text')), expected: /^photos\.tar\.gz.*\btar\b/ },
    // A download cut off partway: the gzip stream ends early.
    { name: 'partial.tar.gz', buffer: halfArchive(), expected: /^partial\.tar\.gz.*truncated/ },
  ];

  for (const { name, buffer, expected } of cases) {
    await page.getByTestId('data-file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
    await expect.poll(() => latestError(page)).toMatch(expected);
    expect(await latestError(page)).toMatch(/The images loaded before are still in use\.$/);
    await expect(page.getByTestId('train-images')).toHaveText(trainImages ?? '');
    await page.getByTestId('error-dismiss').first().click();
    await expect(page.getByTestId('error')).toHaveCount(0);
  }
  await expect(page.getByTestId('train-button')).toBeEnabled();
});

test('diverging run resumes at a lower rate', async ({ page }) => {
  await openLink(page, `${SMALL_RUN}&learningRate=1e25`);
  await page.getByTestId('train-button').click();

  await expect(page.getByTestId('fault-notice')).toBeVisible({ timeout: 60_000 });
  expect(await latestError(page)).toMatch(/^Training diverged at step \d+: .*The run went back to step 0, its last good state, and is paused there/);
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  const divergedAt = Number(await page.getByTestId('chart-loss').getAttribute('data-faults'));
  expect(divergedAt).toBeGreaterThan(0);
  // The charts went back to the last good state: no point of the diverged steps is left.
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '0');
  await expect(page.getByTestId('step')).toHaveText('0');

  await page.getByTestId('fault-learning-rate').fill('0.001');
  await page.getByTestId('fault-resume').click();
  await waitForStep(page, divergedAt + 3, 60_000);
  expect(Number.isFinite(await currentLoss(page))).toBe(true);
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-faults', String(divergedAt));
  await expect(page.getByTestId('setting-learningRate')).toHaveValue('0.001');
  await expect(page.getByTestId('fault-notice')).toHaveCount(0);
  await expect(page.getByTestId('error')).toHaveCount(0);
  // A later pause is an ordinary one: the notice of the past divergence stays away.
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('fault-notice')).toHaveCount(0);
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
});

test('a crashed worker is replaced and the run continues from its checkpoint', async ({ page }) => {
  await openLink(page, SMALL_RUN);
  await page.getByTestId('train-button').click();
  await waitForStep(page, 4, 60_000);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  // Pausing sends a checkpoint of the paused step once the loop has parked. The step in flight
  // when the pause arrived still completes, so the step is read again once the figures settle.
  await expect.poll(async () => page.getByTestId('checkpoint-step').textContent()).toBe(String(await currentStep(page)));
  await page.waitForTimeout(1000);
  const pausedAt = await currentStep(page);
  await expect(page.getByTestId('checkpoint-step')).toHaveText(String(pausedAt));
  const pointsBefore = await page.getByTestId('chart-loss').getAttribute('data-points');

  const [worker] = page.workers();
  if (worker === undefined) throw new Error('the page runs no worker');
  // An exception that nothing in the worker catches, as a bug in a library would raise.
  await worker.evaluate(() => {
    setTimeout(() => {
      throw new Error('injected fault');
    });
  });

  await expect.poll(() => latestError(page)).toMatch(new RegExp(`^The training worker crashed: .*injected fault.*The run went back to step ${pausedAt}, its last good state, and is paused there in a new worker`));
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused', { timeout: 120_000 });
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', pointsBefore ?? '');
  await expect(page.getByTestId('step')).toHaveText(String(pausedAt));

  await page.getByTestId('pause-button').click();
  await waitForStep(page, pausedAt + 3, 60_000);
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
  // Every step from 1 on is charted once: the kept points and then the continued ones.
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', String(await currentStep(page)));
});

test('a full storage rejects a save and keeps the earlier ones', async ({ page }) => {
  await openLink(page, SMALL_RUN);
  await page.getByTestId('train-button').click();
  await waitForStep(page, 3, 60_000);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  await page.getByTestId('save-name').fill('first');
  await page.getByTestId('save-button').click();
  await expect(page.getByTestId('saved-runs-status')).toHaveText(/^Saved "first"/);

  // From now on every write fails as on a full disk: IndexedDB raises QuotaExceededError.
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await page.getByTestId('save-name').fill('second');
  await page.getByTestId('save-button').click();
  await expect.poll(() => latestError(page)).toMatch(/^Storing "second" in the browser failed: the browser's storage for this page is full\. Earlier saves are kept/);
  await expect(page.getByTestId('save-download')).toBeVisible();

  await page.getByTestId('stop-button').click();
  await page.reload();
  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
  await expect(page.getByTestId('saved-run-list').locator('li')).toHaveCount(1);
  await page.getByTestId('load-saved-first').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
});

test('missing storage is reported and saving still offers the file', async ({ page }) => {
  // Some private windows offer no IndexedDB: opening it throws.
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined });
  });
  await openLink(page, SMALL_RUN);
  await expect.poll(() => latestError(page)).toMatch(/^Listing the saved runs failed: the browser's storage \(IndexedDB\) is unavailable/);
  await page.getByTestId('error-dismiss').first().click();

  await page.getByTestId('train-button').click();
  await waitForStep(page, 2, 60_000);
  await page.getByTestId('pause-button').click();
  await page.getByTestId('save-button').click();
  await expect.poll(() => latestError(page)).toMatch(/^Storing ".*" in the browser failed: the browser's storage \(IndexedDB\) is unavailable \(this browser offers no IndexedDB\)/);
  await expect(page.getByTestId('save-download')).toBeVisible();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
});
