/**
 * Runs unit tests on TF.js' wasm backend, the one the playground falls back to without WebGPU,
 * so tests exercise the same kernels. TF_BACKEND=cpu selects the plain JavaScript backend instead.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';

const backend = process.env.TF_BACKEND ?? 'wasm';
if (backend === 'wasm') {
  setWasmPaths(path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
}
if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialise`);
await tf.ready();
