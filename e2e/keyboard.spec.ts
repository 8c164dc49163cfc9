import { type Locator, type Page, expect, test } from '@playwright/test';
import { currentStep, openPlayground, waitForStep } from './helpers';

/** Most Tab presses that reach any control of the page from the top. */
const MAX_TABS = 120;

/** Presses Tab (or Shift+Tab) until `target` has the focus, and fails when it is not reached within `MAX_TABS` presses. */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let presses = 0; presses < MAX_TABS; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`Tab did not reach ${String(target)} within ${MAX_TABS} presses`);
}

/** Tabs to a text setting and replaces its text by typing. */
async function typeSetting(page: Page, field: string, value: string): Promise<void> {
  await tabTo(page, page.getByTestId(`setting-${field}`));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
  await expect(page.getByTestId(`setting-${field}`)).toHaveValue(value);
}

/** Returns the `data-testid` of the focused element, or its text when it has none. */
async function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.activeElement;
    return active?.getAttribute('data-testid') ?? active?.textContent ?? '';
  });
}

/** Sets up the small narrow-backbone game of the other end-to-end tests with the keyboard only. */
async function configureWithKeyboard(page: Page): Promise<void> {
  await tabTo(page, page.getByTestId('setting-backbone'));
  // Type-ahead picks the option whose label starts with "N": the narrow backbone.
  await page.keyboard.press('n');
  await expect(page.getByTestId('setting-backbone')).toHaveValue('narrow');
  await typeSetting(page, 'evalInterval', '10');
  await typeSetting(page, 'seed', '3');

  await tabTo(page, page.locator('details.advanced > summary'));
  await page.keyboard.press('Enter');
  await expect(page.locator('details.advanced')).toHaveAttribute('open', '');
  await typeSetting(page, 'batchSize', '32');
  await typeSetting(page, 'evalGames', '128');
  // Leave the field, so that the next letters are shortcuts again.
  await page.keyboard.press('Tab');
}

/** Waits until the paused run has evaluated its last step, which the inspector then replays. */
async function waitForPausedEvaluation(page: Page): Promise<number> {
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');
  await expect
    .poll(async () => (await page.getByTestId('inspector-set-success').getAttribute('data-step')) === String(await currentStep(page)), { intervals: [250] })
    .toBe(true);
  return currentStep(page);
}

test('runs an experiment with the keyboard only', async ({ page }) => {
  await openPlayground(page);

  // Letters typed into a field stay there.
  await tabTo(page, page.getByTestId('save-name'));
  await page.keyboard.type('pl?');
  await expect(page.getByTestId('save-name')).toHaveValue('pl?');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('app')).toHaveAttribute('data-lecture-mode', 'false');
  await expect(page.getByTestId('shortcut-help')).toBeHidden();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');

  await configureWithKeyboard(page);
  await page.keyboard.press('p');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', /starting|running/);
  await expect(page.getByTestId('inspector-target-image')).toBeVisible({ timeout: 120_000 });
  await waitForStep(page, 20);
  await page.keyboard.press('p');
  await waitForPausedEvaluation(page);
  await expect(page.getByTestId('step-button')).toBeEnabled();

  // Next and previous game in the inspector.
  const position = page.getByTestId('inspector-position');
  await expect(position).toHaveText('game 1 of 128');
  await page.keyboard.press('j');
  await expect(position).toHaveText('game 2 of 128');
  await page.keyboard.press('j');
  await expect(position).toHaveText('game 3 of 128');
  await page.keyboard.press('k');
  await expect(position).toHaveText('game 2 of 128');

  // Panels hide and show.
  await page.keyboard.press('2');
  await expect(page.getByTestId('chart-loss')).toHaveCount(0);
  await expect(page.getByTestId('panel-toggle-charts')).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('2');
  await expect(page.getByTestId('chart-loss')).toBeVisible();

  // The help keeps the focus inside, ignores shortcuts, and gives the focus back on Escape.
  const focusedBefore = await focusedName(page);
  await page.keyboard.press('?');
  const help = page.getByTestId('shortcut-help');
  await expect(help).toBeVisible();
  await expect(page.getByTestId('shortcut-help-close')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('shortcut-help-close')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByTestId('shortcut-help-close')).toBeFocused();
  await page.keyboard.press('l');
  await expect(page.getByTestId('app')).toHaveAttribute('data-lecture-mode', 'false');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await expect.poll(() => focusedName(page)).toBe(focusedBefore);

  // Lecture mode from the keyboard, then on with training.
  await page.keyboard.press('l');
  await expect(page.getByTestId('app')).toHaveAttribute('data-lecture-mode', 'true');
  await expect(page.getByTestId('shortcut-announcement')).toHaveText('Lecture mode on.');
  await page.keyboard.press('p');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'running');

  // Stop with Tab and Enter.
  await tabTo(page, page.getByTestId('stop-button'));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('steps exactly one batch from the keyboard', async ({ page }) => {
  await openPlayground(page);
  await configureWithKeyboard(page);
  await page.keyboard.press('p');
  await waitForStep(page, 5);
  await page.keyboard.press('p');
  const pausedAt = await waitForPausedEvaluation(page);

  await page.keyboard.press('s');
  await expect.poll(() => currentStep(page)).toBe(pausedAt + 1);
  await page.waitForTimeout(1500);
  expect(await currentStep(page)).toBe(pausedAt + 1);
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');

  // The Step button sits above the settings that had the focus last.
  await tabTo(page, page.getByTestId('step-button'), 'Shift+Tab');
  await page.keyboard.press('Enter');
  await expect.poll(() => currentStep(page)).toBe(pausedAt + 2);
  await page.waitForTimeout(1500);
  expect(await currentStep(page)).toBe(pausedAt + 2);
});
