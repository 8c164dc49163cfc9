/**
 * View state of the page, apart from the run: lecture mode, the hidden panels, the panel that fills
 * the screen and whether the shortcut help is open. Lecture mode is remembered in localStorage, and
 * the rest lasts as long as the page.
 */
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';

/** Panels that can be hidden and shown from the keyboard. */
export type PanelId = 'settings' | 'charts' | 'inspector' | 'explorer';

/** Panels that can fill the screen. */
export type FullscreenPanelId = 'charts' | 'inspector' | 'explorer' | 'gumbel';

export const PANEL_LABELS: Record<PanelId, string> = {
  settings: 'Settings',
  charts: 'Charts',
  inspector: 'Message inspector',
  explorer: 'Vocabulary explorer',
};

/** localStorage key of the lecture mode: "1" when on. */
export const LECTURE_MODE_KEY = 'emergent-language-playground.lecture-mode';

/** The part of `Storage` the store uses, so tests can pass a plain object. */
export type PreferenceStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface ViewState {
  lectureMode: boolean;
  hiddenPanels: readonly PanelId[];
  /**
   * Panel that covers the window because the browser refused the Fullscreen API, or null. A panel
   * in real full screen is `document.fullscreenElement` instead.
   */
  maximisedPanel: FullscreenPanelId | null;
  helpOpen: boolean;
  /** Outcome of the latest keyboard shortcut, read out by screen readers and shown on the page. */
  announcement: string;

  toggleLectureMode: () => void;
  togglePanel: (panel: PanelId) => void;
  setMaximisedPanel: (panel: FullscreenPanelId | null) => void;
  setHelpOpen: (open: boolean) => void;
  announce: (message: string) => void;
}

/** Reads the remembered lecture mode, which is off when storage is missing or denies access. */
export function readLectureMode(storage: PreferenceStorage | null): boolean {
  try {
    return storage?.getItem(LECTURE_MODE_KEY) === '1';
  } catch {
    // Storage throws when the browser blocks it, e.g. for a file:// page in some browsers.
    return false;
  }
}

function writeLectureMode(storage: PreferenceStorage | null, on: boolean): void {
  try {
    storage?.setItem(LECTURE_MODE_KEY, on ? '1' : '0');
  } catch {
    // The mode still applies to this page when it cannot be remembered.
  }
}

/** Returns the page's localStorage, or null where the browser blocks it. */
export function browserStorage(): PreferenceStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Creates a view store whose lecture mode starts as `storage` remembers it. */
export function createViewStore(storage: PreferenceStorage | null): StoreApi<ViewState> {
  return createStore<ViewState>()((set, get) => ({
    lectureMode: readLectureMode(storage),
    hiddenPanels: [],
    maximisedPanel: null,
    helpOpen: false,
    announcement: '',

    toggleLectureMode: () => {
      const lectureMode = !get().lectureMode;
      writeLectureMode(storage, lectureMode);
      set({ lectureMode });
    },
    togglePanel: (panel) =>
      set((state) => ({
        hiddenPanels: state.hiddenPanels.includes(panel) ? state.hiddenPanels.filter((hidden) => hidden !== panel) : [...state.hiddenPanels, panel],
      })),
    setMaximisedPanel: (maximisedPanel) => set({ maximisedPanel }),
    setHelpOpen: (helpOpen) => set({ helpOpen }),
    announce: (announcement) => set({ announcement }),
  }));
}

/** The page's view store. */
export const viewStore = createViewStore(browserStorage());

/** Reads a slice of the page's view store. */
export function useView<T>(selector: (state: ViewState) => T): T {
  return useStore(viewStore, selector);
}
