import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { applySettings, openPlayground, waitForStep } from './helpers';

/** Runs axe-core on the whole page and fails with each violated rule and the first elements that break it. */
async function expectNoViolations(page: Page, view: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const violations = results.violations.map((violation) => {
    const targets = violation.nodes.slice(0, 5).map((node) => node.target.join(' '));
    return `${violation.id} (${violation.impact ?? 'no impact'}): ${violation.help} at ${targets.join(' | ')}`;
  });
  expect(violations, `accessibility violations on the ${view}`).toEqual([]);
}

/** Opens every folded explanation on the page. */
async function openExplanations(page: Page): Promise<void> {
  const closed = page.locator('details.explanation:not([open]) > summary');
  while ((await closed.count()) > 0) await closed.first().click();
}

test('initial page and loaded data pass axe', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectNoViolations(page, 'initial page');

  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
  await expectNoViolations(page, 'page with data loaded');
});

test('explanations, lecture mode and help pass axe', async ({ page }) => {
  await openPlayground(page);
  await openExplanations(page);
  await expect(page.getByTestId('gumbel-table')).toBeVisible();
  await expectNoViolations(page, 'page with explanations open');

  await page.getByTestId('lecture-mode-toggle').click();
  await expect(page.getByTestId('app')).toHaveAttribute('data-lecture-mode', 'true');
  await expectNoViolations(page, 'lecture mode');

  await page.getByTestId('help-button').click();
  await expect(page.getByTestId('shortcut-help')).toBeVisible();
  await expectNoViolations(page, 'shortcut help');
});

test('running and paused runs pass axe', async ({ page }) => {
  await openPlayground(page);
  await applySettings(page, { batchSize: '32', evalInterval: '10', evalGames: '128', seed: '3' }, { backbone: 'narrow' });
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('inspector-target-image')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('language-verdict')).toBeVisible({ timeout: 120_000 });
  await expectNoViolations(page, 'running run');

  await waitForStep(page, 20);
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  await page.getByTestId('frequent-message').first().click();
  await expect(page.getByTestId('message-images')).toBeVisible();
  await page.getByTestId('inspector-pin').click();
  await expectNoViolations(page, 'paused run with inspector and explorer filled');

  await page.getByTestId('lecture-mode-toggle').click();
  await openExplanations(page);
  await expectNoViolations(page, 'paused run in lecture mode with explanations open');

  await page.getByTestId('lecture-mode-toggle').click();
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
  await page.getByTestId('compare-run-1').check();
  await expect(page.getByTestId('compare-chart')).toBeVisible();
  await expectNoViolations(page, 'stopped run with the run comparison');
});
