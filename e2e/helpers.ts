import { type Page, expect } from '@playwright/test';

/** Settings typed into the configuration panel, by the field name in its `data-testid`. */
export type Settings = Record<string, string>;

/** Opens the playground and waits until the worker has loaded CIFAR-10. */
export async function openPlayground(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('train-images')).toHaveText(/^\d+$/, { timeout: 120_000 });
}

/** Opens the advanced settings and fills in every given field. */
export async function applySettings(page: Page, numbers: Settings, choices: Settings = {}): Promise<void> {
  await page.locator('details.advanced > summary').click();
  for (const [field, value] of Object.entries(choices)) {
    await page.getByTestId(`setting-${field}`).selectOption(value);
  }
  for (const [field, value] of Object.entries(numbers)) {
    await page.getByTestId(`setting-${field}`).fill(value);
  }
}

/** Returns the integer in the status line's step counter. */
export async function currentStep(page: Page): Promise<number> {
  return Number(await page.getByTestId('step').textContent());
}

/** Returns the latest loss shown in the status line, NaN before the first step. */
export async function currentLoss(page: Page): Promise<number> {
  return Number(await page.getByTestId('loss').textContent());
}

/** Waits until the step counter reaches `step`. */
export async function waitForStep(page: Page, step: number, timeout = 240_000): Promise<void> {
  await expect.poll(() => currentStep(page), { timeout, intervals: [250] }).toBeGreaterThanOrEqual(step);
}
