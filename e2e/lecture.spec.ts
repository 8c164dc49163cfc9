import { type Page, expect, test } from '@playwright/test';
import path from 'node:path';
import { applySettings, openPlayground, waitForStep } from './helpers';

/** Projector and screen sizes lecture mode must fit without horizontal scrolling. */
const VIEWPORTS = [
  { width: 1024, height: 768 },
  { width: 3840, height: 2160 },
];

/** Returns how many pixels the page is wider than the window, 0 when it needs no horizontal scrolling. */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

for (const viewport of VIEWPORTS) {
  test(`lecture mode fits ${viewport.width}x${viewport.height}`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await openPlayground(page);
    expect(await horizontalOverflow(page)).toBe(0);

    await page.getByTestId('lecture-mode-toggle').click();
    await expect(page.getByTestId('app')).toHaveAttribute('data-lecture-mode', 'true');
    expect(await horizontalOverflow(page)).toBe(0);
    for (const testId of ['train-button', 'pause-button', 'step-button', 'stop-button', 'lecture-mode-toggle', 'help-button', 'run-state', 'step']) {
      await expect(page.getByTestId(testId)).toBeInViewport();
    }
    for (const testId of ['chart-loss', 'chart-comm', 'inspector', 'explorer']) await expect(page.getByTestId(testId)).toBeVisible();

    // The type is larger than in the default view.
    const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(viewport.width >= 3840 ? 38 : 20);

    // Opened settings and explanations still fit.
    await page.locator('[data-testid="lecture-settings"] > summary').click();
    for (const summary of await page.locator('details.explanation > summary').all()) await summary.click();
    await expect(page.getByTestId('gumbel-table')).toBeVisible();
    expect(await horizontalOverflow(page)).toBe(0);
  });
}

test('lecture mode is remembered', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('lecture-mode-toggle').click();
  await expect(page.locator('html')).toHaveClass(/lecture-mode/);
  await openPlayground(page);
  await expect(page.getByTestId('app')).toHaveAttribute('data-lecture-mode', 'true');
  await expect(page.getByTestId('lecture-mode-toggle')).toHaveAttribute('aria-pressed', 'true');
});

test('panel goes full screen and back', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('fullscreen-charts').click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement?.getAttribute('data-panel') ?? null)).toBe('charts');
  await expect(page.getByTestId('fullscreen-charts')).toHaveText('Exit full screen');
  await page.getByTestId('fullscreen-charts').click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
  await expect(page.getByTestId('fullscreen-charts')).toHaveText('Full screen');
});

test('panel covers the window without the Fullscreen API', async ({ page }) => {
  await page.addInitScript(() => {
    Element.prototype.requestFullscreen = () => Promise.reject(new TypeError('Fullscreen is not allowed here.'));
  });
  await openPlayground(page);
  const inspector = page.getByTestId('inspector');
  await page.getByTestId('fullscreen-inspector').click();
  await expect(inspector).toHaveClass(/panel-maximised/);
  const box = await inspector.boundingBox();
  expect(box?.width).toBe(page.viewportSize()?.width);
  await page.keyboard.press('Escape');
  await expect(inspector).not.toHaveClass(/panel-maximised/);
});

// Writes the README's lecture-mode screenshots: UPDATE_SCREENSHOTS=1 E2E_PORT=4273 npx playwright test e2e/lecture.spec.ts
test('lecture mode screenshots', async ({ page }) => {
  test.skip(process.env.UPDATE_SCREENSHOTS !== '1', 'Set UPDATE_SCREENSHOTS=1 to write docs/screenshots/lecture-*.png.');
  const folder = path.resolve(import.meta.dirname, '../docs/screenshots');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openPlayground(page);
  await applySettings(page, { evalInterval: '20', evalGames: '512', seed: '1' }, { backbone: 'narrow' });
  await page.getByTestId('train-button').click();
  await waitForStep(page, 100, 600_000);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('inspector-set-success')).toHaveAttribute('data-step', (await page.getByTestId('step').textContent()) ?? '');

  await page.getByTestId('lecture-mode-toggle').click();
  await page.getByTestId('lecture-mode-toggle').blur();
  // The projected view: the run controls with the charts below them, then the inspector.
  await page.getByTestId('run-state').evaluate((element) => element.closest('.status-line')?.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(folder, 'lecture-1920x1080.png') });
  await page.getByTestId('inspector').evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(folder, 'lecture-inspector-1920x1080.png') });

  await page.setViewportSize({ width: 1024, height: 768 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(folder, 'lecture-1024x768.png') });

  await page.getByTestId('explain-gumbel').locator('summary').click();
  await page.getByTestId('gumbel-demo').evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(folder, 'gumbel-demo-1024x768.png') });
});
