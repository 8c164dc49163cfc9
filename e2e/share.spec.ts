import { expect, test } from '@playwright/test';
import { openPlayground } from './helpers';

test('link restores the settings in a fresh browser profile', async ({ page, browser }) => {
  await openPlayground(page);
  await page.getByTestId('setting-backbone').selectOption('narrow');
  await page.locator('details.advanced > summary').click();
  await page.getByTestId('setting-seed').fill('42');
  await page.getByTestId('setting-learningRate').fill('0.0005');
  await page.getByTestId('setting-maxLen').fill('3');
  const link = await page.getByTestId('experiment-link').inputValue();
  expect(link).toContain('seed=42');

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await other.locator('details.advanced > summary').click();
  await expect(other.getByTestId('setting-backbone')).toHaveValue('narrow');
  await expect(other.getByTestId('setting-seed')).toHaveValue('42');
  await expect(other.getByTestId('setting-learningRate')).toHaveValue('0.0005');
  await expect(other.getByTestId('setting-maxLen')).toHaveValue('3');
  await expect(other.getByTestId('error')).toHaveCount(0);
  await fresh.close();
});

test('same link gives the same losses in two browser profiles', async ({ browser }) => {
  const link = '/?backbone=narrow&batchSize=16&evalInterval=5&evalGames=16&maxSteps=8&seed=11';
  const losses: string[] = [];
  for (let run = 0; run < 2; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link);
    await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
    await page.getByTestId('train-button').click();
    await expect(page.getByTestId('step')).toHaveText('8', { timeout: 120_000 });
    await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
    losses.push((await page.getByTestId('loss').textContent()) ?? '');
    await context.close();
  }
  expect(Number(losses[0])).toBeGreaterThan(0);
  expect(losses[1]).toBe(losses[0]);
});

test('hostile link is reported and never runs', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', async (dialog) => {
    dialogs++;
    await dialog.dismiss();
  });
  const markup = '<img src=x onerror=alert(1)>';
  await page.goto(`/?seed=7&backbone=${encodeURIComponent(markup)}&__proto__=1&learningRate=-1`);
  await page.locator('details.advanced > summary').click();

  await expect(page.getByTestId('setting-seed')).toHaveValue('7');
  await expect(page.getByTestId('setting-backbone')).toHaveValue('vgg16');
  await expect(page.getByTestId('setting-learningRate')).toHaveValue('0.001');
  const errors = page.getByTestId('error');
  await expect(errors).toContainText(markup);
  await expect(errors).toContainText('"__proto__" is not a setting');
  await expect(errors).toContainText('learningRate');
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(dialogs).toBe(0);
});

test('exports the metric history and a chart', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto('/?backbone=narrow&batchSize=16&evalInterval=4&evalGames=16&maxSteps=10&seed=3');
  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped', { timeout: 120_000 });

  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('download-csv').click();
  const csv = await (await csvDownload).createReadStream();
  const text = await new Promise<string>((resolve) => {
    let content = '';
    csv.on('data', (chunk: Buffer) => (content += chunk.toString()));
    csv.on('end', () => resolve(content));
  });
  const lines = text.trimEnd().split('\n');
  // Steps 1 to 10 plus the evaluation before the first step.
  expect(lines).toHaveLength(1 + 11);
  expect(lines[0]).toMatch(/^step,loss,/);

  const pngDownload = page.waitForEvent('download');
  await page.getByTestId('chart-loss-png').click();
  const png = await pngDownload;
  expect(png.suggestedFilename()).toBe('chart-loss.png');
  const path = await png.path();
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(path);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(bytes.length).toBeGreaterThan(2000);
  await expect(page.getByTestId('error')).toHaveCount(0);
  expect(violations).toEqual([]);
});

test('overlays two finished runs on one chart', async ({ page }) => {
  await page.goto('/?backbone=narrow&batchSize=16&evalInterval=2&evalGames=16&maxSteps=6&seed=1');
  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped', { timeout: 120_000 });
  await page.locator('details.advanced > summary').click();
  await page.getByTestId('setting-seed').fill('2');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('step')).toHaveText('6', { timeout: 120_000 });
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');

  await page.getByTestId('compare-run-1').check();
  await page.getByTestId('compare-run-2').check();
  const chart = page.getByTestId('compare-chart');
  await expect(chart).toHaveAttribute('data-lines', '2');
  await expect(chart.locator('.recharts-legend-item')).toHaveCount(2);
  await expect(chart).toContainText('seed=1');
  await expect(chart).toContainText('seed=2');
});
