/** Carries out the page's keyboard shortcuts (see `shortcuts.ts`) and shows what each press did. */
import { useEffect } from 'react';
import { trainBlockerOf } from './ConfigPanel';
import { fullscreenPanelOf, toggleFullscreen } from './Fullscreen';
import { navigate } from './Inspector';
import { type ShortcutAction, isTypingTarget, shortcutAction } from './shortcuts';
import { playgroundStore } from './store';
import type { TrainingClient } from './trainingClient';
import { PANEL_LABELS, type PanelId, useView, viewStore } from './viewStore';

/** Starts a run, or pauses or resumes the current one, and returns what happened. */
function trainOrPause(client: TrainingClient): string {
  const state = playgroundStore.getState();
  switch (state.runState) {
    case 'running':
      client.pause();
      return 'Pausing the run.';
    case 'paused':
      client.resume();
      return 'Resuming the run.';
    case 'starting':
      return 'The run is starting.';
    case 'idle':
    case 'stopped': {
      const blocker = trainBlockerOf(state);
      if (blocker !== null) return blocker;
      client.start(state.config);
      return 'Starting a run.';
    }
  }
}

function step(client: TrainingClient): string {
  if (playgroundStore.getState().runState !== 'paused') return 'Step trains one batch of a paused run: pause first.';
  client.step();
  return 'Training one batch.';
}

function moveGame(client: TrainingClient, offset: number): string {
  if (playgroundStore.getState().inspector.inspection === null) return 'No game to inspect yet.';
  navigate(client, offset);
  return offset > 0 ? 'Next game.' : 'Previous game.';
}

function togglePanel(panel: PanelId): string {
  const { togglePanel: toggle } = viewStore.getState();
  toggle(panel);
  const hidden = viewStore.getState().hiddenPanels.includes(panel);
  return `${PANEL_LABELS[panel]} ${hidden ? 'hidden' : 'shown'}.`;
}

function fullscreen(): string {
  const panel = fullscreenPanelOf(document.activeElement) ?? 'charts';
  void toggleFullscreen(panel);
  return '';
}

function lectureMode(): string {
  viewStore.getState().toggleLectureMode();
  return viewStore.getState().lectureMode ? 'Lecture mode on.' : 'Lecture mode off.';
}

/** Carries out one shortcut and returns the sentence to announce, empty for none. */
function runShortcut(action: ShortcutAction, client: TrainingClient): string {
  switch (action) {
    case 'trainOrPause':
      return trainOrPause(client);
    case 'step':
      return step(client);
    case 'nextGame':
      return moveGame(client, 1);
    case 'previousGame':
      return moveGame(client, -1);
    case 'toggleSettings':
      return togglePanel('settings');
    case 'toggleCharts':
      return togglePanel('charts');
    case 'toggleInspector':
      return togglePanel('inspector');
    case 'toggleExplorer':
      return togglePanel('explorer');
    case 'fullscreen':
      return fullscreen();
    case 'toggleLectureMode':
      return lectureMode();
    case 'help':
      viewStore.getState().setHelpOpen(true);
      return '';
  }
}

/**
 * Listens for shortcuts on the whole page. A press is left alone while the focus is in a text
 * field or a list, while the shortcut help is open (it handles its own keys) and when a control has
 * already handled it. Escape closes a panel that covers the window.
 */
export function useKeyboardShortcuts(client: TrainingClient): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const view = viewStore.getState();
      if (event.defaultPrevented || view.helpOpen) return;
      if (event.key === 'Escape' && view.maximisedPanel !== null) {
        view.setMaximisedPanel(null);
        return;
      }
      const target = event.target instanceof HTMLElement ? event.target : null;
      const inputType = target instanceof HTMLInputElement ? target.type : undefined;
      if (target !== null && isTypingTarget({ tagName: target.tagName, isContentEditable: target.isContentEditable, type: inputType })) return;

      const action = shortcutAction(event);
      if (action === null) return;
      event.preventDefault();
      const message = runShortcut(action, client);
      if (message !== '') view.announce(message);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [client]);
}

/** Time an announcement stays on screen, in milliseconds. */
const ANNOUNCEMENT_MS = 4000;

/**
 * Shows the outcome of the latest shortcut for a few seconds; screen readers read it out when it
 * changes. Clearing it lets the same sentence be announced again on the next press.
 */
export function ShortcutAnnouncement() {
  const announcement = useView((state) => state.announcement);
  useEffect(() => {
    if (announcement === '') return undefined;
    const timer = setTimeout(() => viewStore.getState().announce(''), ANNOUNCEMENT_MS);
    return () => clearTimeout(timer);
  }, [announcement]);
  return (
    <p className="shortcut-announcement" role="status" data-testid="shortcut-announcement">
      {announcement}
    </p>
  );
}
