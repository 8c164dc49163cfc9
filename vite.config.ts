import react from '@vitejs/plugin-react';
import { type Plugin, defineConfig } from 'vite';

/**
 * Cross-origin isolation, which the browser requires before it grants SharedArrayBuffer and so
 * multithreaded wasm.
 */
const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Content-Security-Policy of the built playground. Scripts and workers load only from the
 * playground's own origin, never inline. 'wasm-unsafe-eval' lets TF.js compile its WebAssembly
 * backend, and blob: images let a chart's SVG be drawn to a canvas for PNG export. The development
 * server goes without it, because Vite injects inline styles and scripts for hot reloading.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Adds the policy to the built page, for static hosts that cannot send headers. */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'content-security-policy-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        // frame-ancestors is ignored in a meta element; the preview server sends it as a header.
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY.replace(/; frame-ancestors[^;]*/, '') },
        injectTo: 'head-prepend',
      },
    ],
  };
}

// Keep @tensorflow/tfjs-backend-wasm out of `optimizeDeps.exclude`, because with it excluded the dev
// server fails to load the backend's worker (reported for Vite 8.4 with tfjs-backend-wasm 4.22).
export default defineConfig({
  plugins: [react(), contentSecurityPolicyMeta()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', headers: crossOriginIsolationHeaders },
  preview: {
    host: '127.0.0.1',
    headers: { ...crossOriginIsolationHeaders, 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
  },
  build: { target: 'es2022' },
});
