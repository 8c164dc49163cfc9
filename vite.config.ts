import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Cross-origin isolation, which the browser requires before it grants SharedArrayBuffer and so
 * multithreaded wasm.
 */
const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Keep @tensorflow/tfjs-backend-wasm out of `optimizeDeps.exclude`, because with it excluded the dev
// server fails to load the backend's worker (reported for Vite 8.4 with tfjs-backend-wasm 4.22).
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', headers: crossOriginIsolationHeaders },
  preview: { host: '127.0.0.1', headers: crossOriginIsolationHeaders },
  build: { target: 'es2022' },
});
