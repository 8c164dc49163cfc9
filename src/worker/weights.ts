/**
 * Reading pretrained weights over HTTP, from the `weights/` folder that `npm run setup-weights`
 * fills under the page's base URL.
 */
import type { WeightFileReader } from '../game/pretrained';

/** Advice for the user when a weights file is missing. */
export const WEIGHTS_SETUP_HINT =
  'Run `npm run setup-weights -- vgg16` or `npm run setup-weights -- mobilenetv2` in the project folder, then press Train again.';

/** Returns a reader of the files under `baseUrl` whose errors name the file and the setup command. */
export function fetchWeightReader(baseUrl: string, fetchFile: typeof fetch = fetch): WeightFileReader {
  return async (relativePath) => {
    const url = new URL(relativePath, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
    let response: Response;
    try {
      response = await fetchFile(url);
    } catch (error) {
      throw new Error(`could not fetch the pretrained weights file ${url} (${error instanceof Error ? error.message : String(error)}). ${WEIGHTS_SETUP_HINT}`);
    }
    if (!response.ok) throw new Error(`the pretrained weights file ${url} is missing (HTTP ${response.status}). ${WEIGHTS_SETUP_HINT}`);
    const type = response.headers.get('content-type') ?? '';
    // Development servers respond to unknown paths with the page itself.
    if (type.includes('text/html')) throw new Error(`the pretrained weights file ${url} is missing (the server sent a web page). ${WEIGHTS_SETUP_HINT}`);
    return response.arrayBuffer();
  };
}
