import { useEffect, useRef } from 'react';
import { IMAGE_SIZE } from '../data/cifar10';
import { drawImage } from './canvasDrawing';

interface ThumbnailProps {
  /** Interleaved HWC bytes of one or more images. */
  pixels: Uint8Array;
  /** Index of the image in `pixels` to draw. */
  index: number;
  /** Text alternative, e.g. the class name. */
  label: string;
  className?: string;
  testId?: string;
}

/** Draws one 32x32 image on a canvas that CSS scales up without smoothing. */
export function Thumbnail({ pixels, index, label, className, testId }: ThumbnailProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current !== null) drawImage(canvas.current, pixels, index);
  }, [pixels, index]);
  return (
    <canvas
      ref={canvas}
      width={IMAGE_SIZE}
      height={IMAGE_SIZE}
      className={className === undefined ? 'thumbnail' : `thumbnail ${className}`}
      role="img"
      aria-label={label}
      data-testid={testId}
    />
  );
}
