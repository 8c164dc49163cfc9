/**
 * Drawing on canvas for the inspector and the explorer: image thumbnails, the token usage map and
 * the hashing index scale. Canvas keeps the page free of inline styles and data: URLs.
 */
import { IMAGE_BYTES, IMAGE_SIZE } from '../data/cifar10';

/** Draws image `index` of interleaved HWC bytes onto a 32x32 canvas. */
export function drawImage(canvas: HTMLCanvasElement, pixels: Uint8Array, index: number): void {
  const context = canvas.getContext('2d');
  if (context === null) return;
  const image = context.createImageData(IMAGE_SIZE, IMAGE_SIZE);
  const offset = index * IMAGE_BYTES;
  for (let p = 0; p < IMAGE_SIZE * IMAGE_SIZE; p++) {
    image.data[p * 4] = pixels[offset + p * 3] ?? 0;
    image.data[p * 4 + 1] = pixels[offset + p * 3 + 1] ?? 0;
    image.data[p * 4 + 2] = pixels[offset + p * 3 + 2] ?? 0;
    image.data[p * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** Colour of a share from 0 (white) to 1 (the page's accent blue), as an rgb() string. */
export function shareColor(share: number): string {
  const t = Math.min(1, Math.max(0, share));
  const channel = (from: number, to: number) => Math.round(from + (to - from) * t);
  return `rgb(${channel(255, 0)}, ${channel(255, 87)}, ${channel(255, 163)})`;
}

/** Pixels per token column and per position row of the token usage map. */
const USAGE_CELL_WIDTH = 8;
const USAGE_CELL_HEIGHT = 22;

/** Returns the canvas size that `drawTokenUsage` needs. */
export function tokenUsageSize(maxLen: number, vocabSize: number): { width: number; height: number } {
  return { width: vocabSize * USAGE_CELL_WIDTH, height: maxLen * USAGE_CELL_HEIGHT };
}

/** Draws token usage [maxLen][vocabSize] as a map: one row per position, colour by share of the images. */
export function drawTokenUsage(canvas: HTMLCanvasElement, usage: readonly (readonly number[])[], images: number): void {
  const context = canvas.getContext('2d');
  if (context === null) return;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  for (const [position, row] of usage.entries()) {
    for (const [token, count] of row.entries()) {
      if (count === 0) continue;
      context.fillStyle = shareColor(Math.sqrt(count / Math.max(1, images)));
      context.fillRect(token * USAGE_CELL_WIDTH, position * USAGE_CELL_HEIGHT, USAGE_CELL_WIDTH, USAGE_CELL_HEIGHT - 2);
    }
  }
}

/** Lowest and highest hashing index the scale shows; values beyond are drawn at its ends. */
const SCALE_MIN = -0.5;
const SCALE_MAX = 1.25;

/** Draws the hashing index on a scale whose 0 is "one message per class" and 1 "one message per image". */
export function drawHashingScale(canvas: HTMLCanvasElement, value: number): void {
  const context = canvas.getContext('2d');
  if (context === null) return;
  const { width, height } = canvas;
  const barTop = height * 0.2;
  const barHeight = height * 0.22;
  const xOf = (v: number) => ((Math.min(SCALE_MAX, Math.max(SCALE_MIN, v)) - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)) * width;
  context.clearRect(0, 0, width, height);
  const gradient = context.createLinearGradient(xOf(0), 0, xOf(1), 0);
  gradient.addColorStop(0, '#009E73');
  gradient.addColorStop(1, '#D55E00');
  context.fillStyle = gradient;
  context.fillRect(0, barTop, width, barHeight);

  context.fillStyle = '#111111';
  context.font = `${Math.round(height * 0.3)}px system-ui, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'bottom';
  for (const [tick, label] of [[0, 'names'], [1, 'hash']] as const) {
    context.fillRect(xOf(tick) - 1, barTop - height * 0.1, 2, barHeight + height * 0.2);
    context.fillText(label, xOf(tick), height);
  }
  if (Number.isNaN(value)) return;
  const x = xOf(value);
  context.fillRect(x - 2, 0, 4, barTop + barHeight + height * 0.08);
}
