/** Opening an experiment link: the page's query string sets the run's settings. */
import type { StoreApi } from 'zustand/vanilla';
import { readExperimentLink } from './experimentLink';
import type { PlaygroundState } from './store';

/**
 * Applies the settings in `search` (the page's `location.search`) to the store. Every rejected
 * setting is reported on screen, as text, and keeps its default.
 */
export function applyLinkOnLoad(store: StoreApi<PlaygroundState>, search: string): void {
  if (search === '' || search === '?') return;
  const { config, problems } = readExperimentLink(search);
  store.getState().loadConfig(config);
  for (const problem of problems) {
    store.getState().reportNotice(`Experiment link: ${problem} The default is used instead.`);
  }
}
