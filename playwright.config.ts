import { defineConfig } from '@playwright/test';
import path from 'node:path';

/** Port of the preview server the end-to-end tests start; E2E_PORT lets two checkouts test side by side. */
const PORT = Number(process.env.E2E_PORT ?? 4173);

/** CIFAR-10 copy the tests serve: CIFAR10_DIR, else the offline copy beside the repository. */
const dataDir = process.env.CIFAR10_DIR ?? path.resolve(import.meta.dirname, '../shared/cifar10/cifar-10-batches-bin');

/** Chromium flags for a closed network: without the background-networking ones it floods it. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'e2e',
  timeout: 300_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      // Without WebGPU, as on most CPU-only machines: the worker falls back to wasm.
      name: 'wasm',
      testIgnore: /webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS } },
    },
    {
      // Headless Chromium offers WebGPU only behind this flag, on a slow software adapter.
      name: 'webgpu',
      testMatch: /webgpu\.spec\.ts/,
      use: {
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
        },
      },
    },
  ],
  webServer: {
    command: `npm run setup-data -- --from "${dataDir}" && npx vite build && node node_modules/vite/bin/vite.js preview --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    timeout: 180_000,
    reuseExistingServer: false,
  },
});
