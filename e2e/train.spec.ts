import { expect, test } from '@playwright/test';
import { applySettings, currentLoss, currentStep, openPlayground, waitForStep } from './helpers';

test('trains on real CIFAR-10 in the worker with live charts', async ({ page }) => {
  await openPlayground(page);
  await expect(page.getByTestId('train-images')).toHaveText('10000');
  await expect(page.getByTestId('test-images')).toHaveText('10000');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('backend-reason')).toContainText('webgpu');

  await applySettings(
    page,
    { batchSize: '32', evalInterval: '10', evalGames: '128', learningRate: '0.001', seed: '3' },
    { backbone: 'narrow' },
  );
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'running');

  await waitForStep(page, 1);
  const earlySteps = await currentStep(page);
  const earlyLoss = await currentLoss(page);
  expect(Number.isFinite(earlyLoss)).toBe(true);
  expect(earlySteps).toBeLessThan(10);

  await waitForStep(page, 60);
  const lossChart = page.getByTestId('chart-loss');
  await expect.poll(async () => Number(await lossChart.getAttribute('data-points'))).toBeGreaterThan(10);
  await expect.poll(async () => Number(await page.getByTestId('chart-comm').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
  const commSuccess = Number(await page.getByTestId('comm-success').textContent());
  expect(commSuccess).toBeGreaterThanOrEqual(0);
  expect(commSuccess).toBeLessThanOrEqual(1);

  // The hinge loss of a fresh game is far above what a few dozen steps reach.
  await expect.poll(() => currentLoss(page)).toBeLessThan(earlyLoss * 0.5);

  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  const pausedAt = await currentStep(page);
  await page.waitForTimeout(1500);
  expect(await currentStep(page)).toBe(pausedAt);

  await page.getByTestId('pause-button').click();
  await waitForStep(page, pausedAt + 5);
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('error')).toHaveCount(0);
});
