import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENSHOTS_DIR } from '../support/paths.js';

test('the landing page loads and reports a healthy server', async ({ page }) => {
  await page.goto('/');

  await expect(page).toHaveTitle('Parley');
  await expect(page.getByRole('heading', { level: 1, name: 'Parley' })).toBeVisible();
  await expect(page.getByTestId('health-status')).toHaveText('Server: ok');

  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'landing.png'), fullPage: true });
});
