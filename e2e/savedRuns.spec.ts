import { expect, test } from '@playwright/test';
import { currentStep, waitForStep } from './helpers';

/** A tiny run with no step limit, so it is paused by hand. */
const TINY_RUN = '/?backbone=narrow&batchSize=16&evalInterval=3&evalGames=16&seed=5';

test('a saved run reloads paused, can be inspected, and continues from its step', async ({ page }) => {
  await page.goto(TINY_RUN);
  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
  await page.getByTestId('train-button').click();
  await waitForStep(page, 4, 60_000);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  const savedStep = await currentStep(page);

  await page.getByTestId('save-name').fill('tiny');
  await page.getByTestId('save-button').click();
  await expect(page.getByTestId('saved-runs-status')).toHaveText(`Saved "tiny" at step ${savedStep}.`);
  await expect(page.getByTestId('save-download')).toBeVisible();
  const lossPoints = Number(await page.getByTestId('chart-loss').getAttribute('data-points'));
  expect(lossPoints).toBe(savedStep);

  await page.goto('/');
  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
  await page.getByTestId('load-saved-tiny').click();
  await expect(page.getByTestId('saved-runs-status')).toContainText(`at step ${savedStep}`);
  await expect(page.getByTestId('step')).toHaveText(String(savedStep));
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', String(lossPoints));
  await expect(page.getByTestId('experiment-link')).toHaveValue(/seed=5/);

  // The loaded run waits paused in the worker, and the inspector replays its games before any new step.
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('inspector-target-rank')).toHaveText(/^\d+$/);
  await expect(page.getByTestId('hashing-index')).not.toBeEmpty();
  await expect(page.getByTestId('inspector-set-success')).toHaveAttribute('data-step', String(savedStep));
  await expect(page.getByTestId('step')).toHaveText(String(savedStep));

  await page.getByTestId('pause-button').click();
  await waitForStep(page, savedStep + 2, 60_000);
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
  const finalStep = await currentStep(page);
  // Every step from 1 on is charted once: the old points and then the continued ones.
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', String(finalStep));
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('a damaged saved-run file is rejected and changes nothing', async ({ page }) => {
  await page.goto('/?seed=13&maxLen=3');
  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
  const linkBefore = await page.getByTestId('experiment-link').inputValue();

  const header = (json: string): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(Buffer.byteLength(json));
    return Buffer.concat([Buffer.from('ELPSNAP1'), length, Buffer.from(json)]);
  };
  await page.getByTestId('load-file').setInputFiles({ name: 'broken.elprun', mimeType: 'application/octet-stream', buffer: header('{"format": "emergent-') });
  await expect(page.getByTestId('error')).toContainText("Loading broken.elprun failed, and nothing was changed. The saved run's header is not valid JSON");

  const otherVersion = header('{"format":"emergent-language-playground-run","version":99}');
  await page.getByTestId('load-file').setInputFiles({ name: 'future.elprun', mimeType: 'application/octet-stream', buffer: otherVersion });
  await expect(page.getByTestId('error')).toContainText('The saved run is of version 99; this playground reads version 1 only.');

  await expect(page.getByTestId('experiment-link')).toHaveValue(linkBefore);
  await expect(page.getByTestId('step')).toHaveText('0');
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '0');
});
