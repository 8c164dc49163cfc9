/** Buttons for lecture mode, the panels shown and the shortcut help: the same actions as the shortcuts. */
import { PANEL_LABELS, type PanelId, useView, viewStore } from './viewStore';

const PANEL_KEYS: Record<PanelId, string> = { settings: '1', charts: '2', inspector: '3', explorer: '4' };

function PanelToggle({ panel }: { panel: PanelId }) {
  const shown = useView((state) => !state.hiddenPanels.includes(panel));
  return (
    <button
      type="button"
      className="button-secondary"
      aria-pressed={shown}
      aria-keyshortcuts={PANEL_KEYS[panel]}
      data-testid={`panel-toggle-${panel}`}
      onClick={() => viewStore.getState().togglePanel(panel)}
    >
      {PANEL_LABELS[panel]}
    </button>
  );
}

/** Renders the view toolbar of the page header. */
export function ViewToolbar() {
  const lectureMode = useView((state) => state.lectureMode);
  const { toggleLectureMode, setHelpOpen } = viewStore.getState();
  return (
    <nav className="view-toolbar" aria-label="View">
      <button type="button" aria-pressed={lectureMode} aria-keyshortcuts="l" data-testid="lecture-mode-toggle" onClick={toggleLectureMode}>
        Lecture mode
      </button>
      <div className="button-row" role="group" aria-label="Panels shown">
        {(Object.keys(PANEL_LABELS) as PanelId[]).map((panel) => (
          <PanelToggle key={panel} panel={panel} />
        ))}
      </div>
      <button type="button" aria-keyshortcuts="?" data-testid="help-button" onClick={() => setHelpOpen(true)}>
        Keyboard shortcuts <kbd>?</kbd>
      </button>
    </nav>
  );
}
