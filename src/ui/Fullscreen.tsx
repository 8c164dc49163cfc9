/**
 * Full screen for one panel: the Fullscreen API where the browser grants it, otherwise the panel
 * covers the window (`maximisedPanel` in the view store) until Escape or its button.
 */
import { useEffect, useState } from 'react';
import { type FullscreenPanelId, useView, viewStore } from './viewStore';

const FULLSCREEN_PANELS: readonly FullscreenPanelId[] = ['charts', 'inspector', 'explorer', 'gumbel'];

/** Returns the panel id of an element's `data-panel` attribute, or null when it names no full-screen panel. */
export function fullscreenPanelOf(element: Element | null): FullscreenPanelId | null {
  const name = element?.closest('[data-panel]')?.getAttribute('data-panel');
  return FULLSCREEN_PANELS.find((panel) => panel === name) ?? null;
}

function panelElement(panel: FullscreenPanelId): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-panel="${panel}"]`);
}

/** Shows `panel` full screen, or leaves full screen when a panel already is. */
export async function toggleFullscreen(panel: FullscreenPanelId): Promise<void> {
  const { maximisedPanel, setMaximisedPanel } = viewStore.getState();
  if (document.fullscreenElement !== null) {
    await document.exitFullscreen();
    return;
  }
  if (maximisedPanel !== null) {
    setMaximisedPanel(null);
    return;
  }

  const element = panelElement(panel);
  if (element === null) return;
  if (document.fullscreenEnabled && typeof element.requestFullscreen === 'function') {
    try {
      await element.requestFullscreen();
      return;
    } catch {
      // Rejected, e.g. inside a frame without allowfullscreen, so cover the window instead.
    }
  }
  setMaximisedPanel(panel);
}

/** Returns the panel in browser full screen, updated on every `fullscreenchange`. */
function useBrowserFullscreenPanel(): FullscreenPanelId | null {
  const [panel, setPanel] = useState<FullscreenPanelId | null>(null);
  useEffect(() => {
    const update = () => setPanel(fullscreenPanelOf(document.fullscreenElement));
    document.addEventListener('fullscreenchange', update);
    return () => document.removeEventListener('fullscreenchange', update);
  }, []);
  return panel;
}

/** Returns whether `panel` is shown full screen, by the browser or by covering the window. */
export function useIsFullscreen(panel: FullscreenPanelId): boolean {
  const browserPanel = useBrowserFullscreenPanel();
  const maximised = useView((state) => state.maximisedPanel === panel);
  return browserPanel === panel || maximised;
}

/** Returns the class names that make a panel cover the window when it is maximised without the Fullscreen API. */
export function useMaximisedClass(panel: FullscreenPanelId): string {
  return useView((state) => (state.maximisedPanel === panel ? ' panel-maximised' : ''));
}

/** Button that shows `panel` full screen and back. `title` names the panel for screen readers. */
export function FullscreenButton({ panel, title }: { panel: FullscreenPanelId; title: string }) {
  const on = useIsFullscreen(panel);
  return (
    <button
      type="button"
      className="button-secondary fullscreen-button"
      data-testid={`fullscreen-${panel}`}
      aria-label={on ? `Exit full screen: ${title}` : `Full screen: ${title}`}
      onClick={() => void toggleFullscreen(panel)}
    >
      {on ? 'Exit full screen' : 'Full screen'}
    </button>
  );
}
