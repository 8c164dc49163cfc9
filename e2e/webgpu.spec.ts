import { expect, test } from '@playwright/test';
import { applySettings, currentLoss, openPlayground, waitForStep } from './helpers';

// The software WebGPU adapter of headless Chromium is about 100 times slower than wasm, so this
// run is tiny: it checks that the worker trains correctly on WebGPU, not how fast.
test('trains a tiny game on the WebGPU backend', async ({ page }) => {
  await openPlayground(page);
  await applySettings(
    page,
    {
      batchSize: '8',
      evalInterval: '2',
      evalGames: '8',
      hiddenSize: '32',
      embeddingSize: '16',
      vocabSize: '10',
      maxLen: '2',
    },
    { backbone: 'narrow', backend: 'webgpu' },
  );
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('backend')).toHaveText('webgpu', { timeout: 120_000 });

  await waitForStep(page, 4);
  const loss = await currentLoss(page);
  expect(Number.isFinite(loss)).toBe(true);
  expect(loss).toBeGreaterThanOrEqual(0);
  await expect.poll(async () => Number(await page.getByTestId('chart-comm').getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
  const commSuccess = Number(await page.getByTestId('comm-success').textContent());
  expect(commSuccess).toBeGreaterThanOrEqual(0);
  expect(commSuccess).toBeLessThanOrEqual(1);

  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('a lost GPU device restarts the run in a new worker', async ({ page, context }) => {
  await openPlayground(page);
  await applySettings(
    page,
    { batchSize: '8', evalInterval: '2', evalGames: '8', hiddenSize: '32', embeddingSize: '16', vocabSize: '10', maxLen: '2' },
    { backbone: 'narrow', backend: 'webgpu' },
  );
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('backend')).toHaveText('webgpu', { timeout: 120_000 });
  await waitForStep(page, 3);

  // Destroys the backend's GPU device from inside the worker; its lost promise then resolves as after a
  // driver reset. TF.js 4.22 keeps its engine in the worker's global `_tfengine`, which is how the test finds it.
  const [worker] = page.workers();
  if (worker === undefined) throw new Error('the page runs no worker');
  await worker.evaluate(() => {
    const engine = (self as unknown as { _tfengine?: { backendInstance?: { device?: { destroy: () => void } } } })._tfengine;
    const device = engine?.backendInstance?.device;
    if (device === undefined) throw new Error('the worker has no WebGPU device');
    device.destroy();
  });

  await expect(page.getByTestId('error')).toContainText(/The GPU device was lost \(destroyed.*The run went back to step \d+, its last good state, and is paused there in a new worker/, { timeout: 120_000 });
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused', { timeout: 120_000 });
  const pausedAt = Number(await page.getByTestId('step').textContent());
  await page.getByTestId('pause-button').click();
  await waitForStep(page, pausedAt + 2);
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
});
