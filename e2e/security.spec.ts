import { expect, test } from '@playwright/test';
import { applySettings, openPlayground, waitForStep } from './helpers';

test('preview server sends the security headers', async ({ request }) => {
  const response = await request.get('/');
  const headers = response.headers();
  const policy = headers['content-security-policy'] ?? '';
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).toContain("object-src 'none'");
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(await response.text()).toContain('http-equiv="Content-Security-Policy"');
});

test('playground trains without violating its policy', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  await openPlayground(page);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  await applySettings(page, { batchSize: '16', evalInterval: '5', evalGames: '16' }, { backbone: 'narrow' });
  await page.getByTestId('train-button').click();
  await waitForStep(page, 6);
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
  expect(violations).toEqual([]);
});
