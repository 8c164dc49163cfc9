/** Saving a chart as a PNG image. */

/** Pixels per CSS pixel of the saved image, for sharp slides. */
const PNG_SCALE = 2;

/** Returns the chart's SVG as a standalone document of the given size. */
function standaloneSvg(svg: SVGSVGElement, width: number, height: number): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute('font-family', getComputedStyle(svg).fontFamily);
  return new XMLSerializer().serializeToString(copy);
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the browser could not render the chart as an image'));
    image.src = url;
  });
}

/**
 * Draws the chart inside `container` on a white canvas and offers it as a PNG download. Throws
 * when the container has no chart yet.
 */
export async function downloadChartPng(container: HTMLElement, fileName: string): Promise<void> {
  const svg = container.querySelector<SVGSVGElement>('svg.recharts-surface');
  if (svg === null) throw new Error('This chart has no points yet, so there is nothing to save.');
  const { width, height } = svg.getBoundingClientRect();
  const svgUrl = URL.createObjectURL(new Blob([standaloneSvg(svg, width, height)], { type: 'image/svg+xml' }));
  try {
    const image = await loadImage(svgUrl);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * PNG_SCALE);
    canvas.height = Math.round(height * PNG_SCALE);
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('the browser has no 2D canvas to draw the chart on');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (png === null) throw new Error('the browser could not encode the chart as PNG');
    const pngUrl = URL.createObjectURL(png);
    const anchor = document.createElement('a');
    anchor.href = pngUrl;
    anchor.download = fileName;
    anchor.click();
    URL.revokeObjectURL(pngUrl);
  } finally {
    URL.revokeObjectURL(svgUrl);
  }
}
