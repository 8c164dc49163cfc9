import { expect, test } from '@playwright/test';
import { applySettings, openPlayground } from './helpers';

// Presets set the paper's VGG16 and 10,000 steps. These runs shrink them to the narrow backbone
// and a few steps, so that they finish within a minute on wasm.
test('runs a preset and shows its results beside the published ones', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('preset-load-random-clean').click();
  await expect(page.getByTestId('setting-extractor')).toHaveValue('random-frozen');
  await expect(page.getByTestId('setting-maxSteps')).toHaveValue('10000');
  await expect(page.getByTestId('preset-row-random-clean')).toContainText('0.95 \u00b1 0.19');

  await applySettings(page, { batchSize: '32', evalInterval: '10', evalGames: '128', maxSteps: '20', seed: '2' }, { backbone: 'narrow' });
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped', { timeout: 180_000 });

  await expect(page.getByTestId('preset-ours-random-clean-commSuccess')).toHaveText(/^[01]\.\d\d \u00b1 0\.\d\d$/);
  await expect(page.getByTestId('preset-row-random-clean')).toContainText('step 20, 128 games; changed: backbone, batch size, evaluation games, training steps');
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('trains the rotation task and charts its accuracy', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('preset-load-sender-predicts').click();
  await expect(page.getByTestId('setting-rotationTask')).toHaveValue('sender-predicts');

  await page.getByTestId('setting-augmentation').selectOption('none');
  await expect(page.getByTestId('config-problems')).toContainText('needs rotated sender images');
  await expect(page.getByTestId('train-button')).toBeDisabled();
  await page.getByTestId('setting-augmentation').selectOption('rotation');

  await page.getByTestId('setting-extractor').selectOption('random-frozen');
  await applySettings(page, { batchSize: '16', evalInterval: '5', evalGames: '32', maxSteps: '10' }, { backbone: 'narrow' });
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped', { timeout: 180_000 });

  await expect.poll(async () => Number(await page.getByTestId('chart-rotation').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('preset-ours-sender-predicts-rotationAccuracy')).toHaveText(/^[01]\.\d\d$/);
  await expect(page.getByTestId('error')).toHaveCount(0);
});
