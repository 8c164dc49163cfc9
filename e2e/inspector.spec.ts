import { type Locator, type Page, expect, test } from '@playwright/test';
import { applySettings, currentStep, openPlayground, waitForStep } from './helpers';

/** Returns whether a canvas contains an opaque picture with some contrast, not a blank or flat fill. */
async function canvasIsDrawn(canvas: Locator): Promise<boolean> {
  return canvas.evaluate((element) => {
    if (!(element instanceof HTMLCanvasElement)) return false;
    const context = element.getContext('2d');
    if (context === null) return false;
    const { data } = context.getImageData(0, 0, element.width, element.height);
    let darkest = 765;
    let brightest = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] !== 255) return false;
      const brightness = (data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0);
      darkest = Math.min(darkest, brightness);
      brightest = Math.max(brightest, brightness);
    }
    return brightest - darkest > 30;
  });
}

async function numberAttribute(locator: Locator, name: string): Promise<number> {
  return Number(await locator.getAttribute(name));
}

/**
 * Waits until the element's `data-step` is the step counter's, and returns that step. The step
 * in flight when the pause arrives still completes, so the counter can move once after the pause.
 */
async function waitForStepOf(page: Page, testId: string): Promise<number> {
  await expect
    .poll(async () => (await page.getByTestId(testId).getAttribute('data-step')) === String(await currentStep(page)), { intervals: [250] })
    .toBe(true);
  return currentStep(page);
}

/** Trains the small game of the wasm end-to-end test, then pauses it; returns the paused step. */
async function trainAndPause(page: Page, steps: number): Promise<number> {
  await openPlayground(page);
  await applySettings(
    page,
    { batchSize: '32', evalInterval: '10', evalGames: '128', learningRate: '0.001', seed: '3' },
    { backbone: 'narrow' },
  );
  await page.getByTestId('train-button').click();
  // While the run trains, the inspector replays a held-out game after the evaluations.
  await expect(page.getByTestId('inspector-target-image')).toBeVisible({ timeout: 120_000 });
  await waitForStep(page, steps);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  return waitForStepOf(page, 'comm-success');
}

test('inspects the games and the language of a trained run', async ({ page }) => {
  const pausedAt = await trainAndPause(page, 40);

  // On pause the run evaluates the paused step and the inspector replays it: both show the same games.
  const setSuccess = page.getByTestId('inspector-set-success');
  expect(await waitForStepOf(page, 'inspector-set-success')).toBe(pausedAt);
  await expect(page.getByTestId('comm-success')).toHaveAttribute('data-step', String(pausedAt));
  const games = await numberAttribute(setSuccess, 'data-games');
  const successes = await numberAttribute(setSuccess, 'data-successes');
  const commSuccess = Number(await page.getByTestId('comm-success').textContent());
  expect(games).toBe(128);
  expect(successes).toBeGreaterThan(0);
  expect(Math.abs(successes / games - commSuccess)).toBeLessThanOrEqual(0.005);

  // Thumbnails are drawn from the real images.
  expect(await canvasIsDrawn(page.getByTestId('inspector-target-image'))).toBe(true);
  const candidates = page.getByTestId('inspector-ranking').locator('canvas');
  await expect(candidates).toHaveCount(32);
  for (const index of [0, 15, 31]) expect(await canvasIsDrawn(candidates.nth(index))).toBe(true);

  // A game listed with rank 1 shows its target first in the ranking.
  await page.locator('.game-list-items button[data-rank="1"]').first().click();
  await expect(page.getByTestId('inspector-target-rank')).toHaveText('1');
  await expect(page.getByTestId('inspector-ranking').locator('li').first()).toHaveClass(/is-target/);

  // The arrow keys step through the listed games.
  const position = page.getByTestId('inspector-position');
  const before = await position.textContent();
  await page.keyboard.press('ArrowRight');
  await expect(position).not.toHaveText(before ?? '');
});

test('explorer measures the language and answers clicks', async ({ page }) => {
  const pausedAt = await trainAndPause(page, 30);
  expect(await waitForStepOf(page, 'explorer-step')).toBe(pausedAt);
  const hashingIndex = Number(await page.getByTestId('hashing-index').textContent());
  expect(hashingIndex).toBeGreaterThan(-1);
  expect(hashingIndex).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('language-verdict')).not.toBeEmpty();

  // A heatmap cell shows the images that produce its message.
  const cell = page.getByTestId('heatmap-cell').filter({ hasText: /\d/ }).first();
  const cellTokens = await cell.getAttribute('data-tokens');
  await cell.click();
  const meaning = page.getByTestId('message-meaning');
  await expect(meaning).toHaveAttribute('data-tokens', cellTokens ?? '');
  const count = Number(/^(\d+) held-out image/.exec((await page.getByTestId('message-meaning-count').textContent()) ?? '')?.[1]);
  const images = page.getByTestId('message-images').locator('canvas');
  await expect(images).toHaveCount(Math.min(count, 60));
  expect(await canvasIsDrawn(images.first())).toBe(true);

  // So does a message of the frequency list.
  const listed = page.getByTestId('frequent-message').nth(1);
  const listedTokens = await listed.locator('.message').getAttribute('data-tokens');
  await listed.click();
  await expect(meaning).toHaveAttribute('data-tokens', listedTokens ?? '');

  // The inspector keeps responding while the run trains: a pinned image gathers messages, and the
  // latest training batch can be replayed.
  await page.getByTestId('inspector-pin').click();
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('inspector-pinned')).toContainText(/over ([2-9]|\d\d+) measurements/, { timeout: 60_000 });
  await page.getByTestId('inspector-set-trainBatch').click();
  await expect(page.getByTestId('inspector-set-success')).toHaveAttribute('data-games', '32');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'running');

  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('error')).toHaveCount(0);
});
