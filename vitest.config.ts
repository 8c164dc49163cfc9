import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    setupFiles: ['src/testing/tfSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
