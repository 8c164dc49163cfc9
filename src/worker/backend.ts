/**
 * Choosing the TF.js backend inside the worker: WebGPU where a hardware adapter exists, else wasm,
 * else plain JavaScript, with the reason for every fallback.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName, BackendPreference } from '../game/config';

export interface BackendChoice {
  backend: BackendName;
  /** Reason a backend earlier in the order was not used, or null when the first choice worked. */
  fallbackReason: string | null;
}

/** The part of the WebGPU API read here. */
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

let wasmConfigured = false;

function configureWasm(): void {
  if (wasmConfigured) return;
  const absolute = (url: string) => new URL(url, self.location.href).href;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': absolute(wasmPlainUrl),
    'tfjs-backend-wasm-simd.wasm': absolute(wasmSimdUrl),
    'tfjs-backend-wasm-threaded-simd.wasm': absolute(wasmThreadedSimdUrl),
  });
  // NOTE: the threaded wasm build fails inside its thread workers once minified (TF.js 4.22 under
  // Vite), and setBackend('wasm') then never settles. So the single-threaded SIMD build is used.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasmConfigured = true;
}

/** Returns why WebGPU should not be used, or null when a usable adapter exists. */
async function webgpuUnavailableReason(preference: BackendPreference): Promise<string | null> {
  // Read through our minimal type: the installed WebGPU typings predate GPUAdapter.info.
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (gpu === undefined) return 'this browser offers no WebGPU (navigator.gpu is missing)';
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) return 'the browser found no WebGPU adapter';
  const software = adapter.info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true || adapter.info?.architecture === 'swiftshader';
  if (software && preference === 'auto') {
    return `the only WebGPU adapter is a software renderer (${adapter.info?.architecture ?? 'fallback adapter'}), slower than wasm`;
  }
  return null;
}

async function trySetBackend(name: BackendName): Promise<string | null> {
  try {
    if (name === 'wasm') configureWasm();
    const ok = await tf.setBackend(name);
    if (!ok) return `${name} failed to initialise`;
    await tf.ready();
    return null;
  } catch (error) {
    return `${name} failed to initialise: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function describeFailure(error: unknown): string {
  return `requesting an adapter failed: ${error instanceof Error ? error.message : String(error)}`;
}

function orderFor(preference: BackendPreference): BackendName[] {
  switch (preference) {
    case 'auto':
    case 'webgpu':
      return ['webgpu', 'wasm', 'cpu'];
    case 'wasm':
      return ['wasm', 'cpu'];
    case 'cpu':
      return ['cpu'];
  }
}

/** Activates the first backend of the preference's order that works. */
export async function selectBackend(preference: BackendPreference): Promise<BackendChoice> {
  const reasons: string[] = [];
  for (const name of orderFor(preference)) {
    const unavailable = name === 'webgpu' ? await webgpuUnavailableReason(preference).catch(describeFailure) : null;
    const failure = unavailable ?? (await trySetBackend(name));
    if (failure === null) return { backend: name, fallbackReason: reasons.length > 0 ? reasons.join('; ') : null };
    reasons.push(`${name}: ${failure}`);
  }
  throw new Error(`no TF.js backend could be started (${reasons.join('; ')})`);
}

/** The part of a WebGPU device read here. */
interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
}

const watchedDevices = new WeakSet<GpuDeviceLike>();

/**
 * Calls `onLost` once when the GPU device of the active WebGPU backend is lost (a GPU process
 * crash, a driver reset, the device destroyed). TF.js 4.22 does not watch for this itself, and
 * every later kernel on a lost device fails or returns zeros. Does nothing on other backends.
 */
export function watchDeviceLoss(onLost: (message: string) => void): void {
  if (tf.getBackend() !== 'webgpu') return;
  // The cast reaches WebGPUBackend's device, which TF.js 4.22 declares public but does not type here.
  const device = (tf.backend() as unknown as { device?: GpuDeviceLike }).device;
  if (device === undefined || watchedDevices.has(device)) return;
  watchedDevices.add(device);
  void device.lost.then((info) => {
    const detail = [info.reason, info.message].filter((part) => part !== undefined && part !== '').join(': ');
    onLost(`The GPU device was lost${detail === '' ? '' : ` (${detail})`}.`);
  });
}
