/**
 * Actions of the message inspector and the vocabulary explorer: each sends its request to the
 * worker and records in the store the selection and the id of the awaited response.
 */
import type { InspectedSet } from '../worker/protocol';
import { type InspectorState, imagesWithMessage } from './inspectorState';
import { playgroundStore } from './store';
import type { TrainingClient } from './trainingClient';

/** Maximum number of images shown for a message. */
export const MAX_MESSAGE_IMAGES = 60;

function updateInspector(change: (inspector: InspectorState) => Partial<InspectorState>): void {
  playgroundStore.setState((state) => ({ inspector: { ...state.inspector, ...change(state.inspector) } }));
}

/** Requests a replay of game `game` of `set` from the worker and records the request as awaited. */
export function inspectGame(client: TrainingClient, set: InspectedSet, game: number): void {
  const requestId = client.inspect(set, game);
  updateInspector(() => ({ set, game, pendingInspection: requestId }));
}

/** Asks the worker for a language report now. */
export function refreshLanguage(client: TrainingClient): void {
  const requestId = client.requestLanguage();
  updateInspector(() => ({ pendingLanguage: requestId }));
}

/**
 * Selects a message in the explorer and requests from the worker the held-out images that produce
 * it in the latest language report.
 */
export function showMessage(client: TrainingClient, tokens: number[]): void {
  const report = playgroundStore.getState().inspector.language;
  const images = report === null ? [] : imagesWithMessage(report, tokens, MAX_MESSAGE_IMAGES);
  if (images.length === 0) {
    updateInspector(() => ({ selectedMessage: tokens, messageImages: { indices: [], pixels: new Uint8Array(0) }, pendingImages: null }));
    return;
  }
  const requestId = client.requestImages('test', images);
  updateInspector(() => ({ selectedMessage: tokens, pendingImages: requestId }));
}

/** Filters the inspector's game list by the class of the target, or shows every class for null. */
export function setClassFilter(classFilter: number | null): void {
  updateInspector(() => ({ classFilter }));
}

/** Turns on or off the replay of the shown game after each evaluation. */
export function setFollow(follow: boolean): void {
  updateInspector(() => ({ follow }));
}

/** Pins a held-out image so that its messages are recorded as training goes on. */
export function pinImage(image: number, label: number, step: number, tokens: number[], targetRank: number): void {
  updateInspector(() => ({ pinned: { image, label, samples: [{ step, tokens, targetRank }] } }));
}

/** Stops following the pinned image. */
export function unpinImage(): void {
  updateInspector(() => ({ pinned: null }));
}
