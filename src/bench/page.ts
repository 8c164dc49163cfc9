/**
 * The benchmark page: `npm run bench` opens it in headless Chromium and calls `window.bench`.
 * It selects backends as the training worker does, with the same wasm settings.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../worker/backend';
import type { BenchCase, CaseResult, MatmulResult } from './results';
import { measureMatmul, runCase } from './runCase';

/** Report on the browser's WebGPU adapter. */
export interface AdapterReport {
  /** Whether an adapter was found. */
  available: boolean;
  /** Whether it is a software renderer (fallback adapter or SwiftShader). */
  software: boolean;
  /** Vendor and architecture, or why there is no adapter. */
  description: string;
}

/** Functions the page exposes to the command that drives it. */
export interface BenchPageApi {
  probeWebgpu(): Promise<AdapterReport>;
  /** Activates a backend; returns its details for the report. */
  useBackend(name: 'wasm' | 'webgpu'): Promise<string>;
  runCase(benchCase: BenchCase): Promise<CaseResult>;
  measureMatmul(m: number, k: number, n: number, repeats: number): Promise<MatmulResult>;
}

declare global {
  interface Window {
    bench?: BenchPageApi;
  }
}

/** The part of the WebGPU API read here, typed here because the installed typings predate GPUAdapter.info. */
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<{ info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null>;
}

async function probeWebgpu(): Promise<AdapterReport> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (gpu === undefined) return { available: false, software: false, description: 'the browser offers no WebGPU (navigator.gpu is missing)' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) return { available: false, software: false, description: 'the browser found no WebGPU adapter' };
  const software = adapter.info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true || adapter.info?.architecture === 'swiftshader';
  return { available: true, software, description: `adapter vendor ${adapter.info?.vendor ?? 'unknown'}, architecture ${adapter.info?.architecture ?? 'unknown'}` };
}

async function useBackend(name: 'wasm' | 'webgpu'): Promise<string> {
  const choice = await selectBackend(name);
  if (choice.backend !== name) throw new Error(`the ${name} backend failed to start (${choice.fallbackReason ?? 'no reason given'})`);
  const isolation = `cross-origin isolated: ${self.crossOriginIsolated}`;
  if (name === 'webgpu') return `${(await probeWebgpu()).description}, ${isolation}`;
  return `SIMD: ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, threads: ${getThreadsCount()}, ${isolation}`;
}

window.bench = { probeWebgpu, useBackend, runCase, measureMatmul };
const status = document.getElementById('status');
if (status !== null) status.textContent = 'Ready.';
