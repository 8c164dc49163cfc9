import { type Page, expect, test } from '@playwright/test';
import { openPlayground } from './helpers';

const TOKENS = 5;

/** Reads the shown figures of one column of the demonstration, one per token. */
async function column(page: Page, name: 'noise' | 'soft'): Promise<number[]> {
  const values: number[] = [];
  for (let token = 0; token < TOKENS; token++) values.push(Number(await page.getByTestId(`gumbel-${name}-${token}`).textContent()));
  return values;
}

async function logits(page: Page): Promise<number[]> {
  const values: number[] = [];
  for (let token = 0; token < TOKENS; token++) values.push(Number(await page.getByTestId(`gumbel-logit-${token}`).inputValue()));
  return values;
}

/** Checks that the marked hard sample is the argmax of the shown logits plus noise, and that the soft sample sums to 1. */
async function expectConsistentSample(page: Page): Promise<void> {
  const noise = await column(page, 'noise');
  const sums = (await logits(page)).map((logit, token) => logit + (noise[token] ?? NaN));
  const argmax = sums.indexOf(Math.max(...sums));
  await expect(page.getByTestId('gumbel-table')).toHaveAttribute('data-hard-index', String(argmax));
  await expect(page.getByTestId(`gumbel-hard-${argmax}`)).toContainText('1');
  const soft = await column(page, 'soft');
  expect(Math.abs(soft.reduce((total, value) => total + value, 0) - 1)).toBeLessThan(0.003);
}

test('Gumbel demonstration answers edits', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('explain-gumbel').locator('summary').click();
  await expect(page.getByTestId('gumbel-table')).toBeVisible();
  await expectConsistentSample(page);

  // New noise from the next seed changes the noise column.
  const noiseBefore = await column(page, 'noise');
  await page.getByTestId('gumbel-draw').click();
  await expect(page.getByTestId('gumbel-seed')).toHaveText('noise seed 2');
  expect(await column(page, 'noise')).not.toEqual(noiseBefore);
  await expectConsistentSample(page);

  // A large logit wins whatever the noise.
  await page.getByTestId('gumbel-logit-3').fill('40');
  await expect(page.getByTestId('gumbel-table')).toHaveAttribute('data-hard-index', '3');
  await expectConsistentSample(page);

  // At the lowest temperature the soft sample is the hard one to the shown digits.
  const slider = page.getByTestId('gumbel-temperature');
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('gumbel-temperature-value')).toHaveText('0.05');
  await expect(page.getByTestId('gumbel-soft-3')).toHaveText('1.000');
});
