/**
 * State of the message inspector and the vocabulary explorer: the selections, the worker's
 * latest responses, and the history of a pinned image's messages.
 *
 * Pure functions of the state and the worker's events, so they are tested without a worker;
 * the store applies them (see `PlaygroundState.inspector`).
 */
import type { GameInspection, InspectedSet, LanguageReport, WorkerEvent } from '../worker/protocol';

/** Maximum number of messages remembered for a pinned image; older ones are dropped first. */
export const MAX_PINNED_SAMPLES = 500;

/** The sender's message about a pinned image at one step. */
export interface PinnedSample {
  step: number;
  tokens: number[];
  /** Rank of the image in its held-out game, or null when only the message is known. */
  targetRank: number | null;
}

/** A held-out image whose message is followed as training goes on. */
export interface PinnedImage {
  /** Index of the image in the test split. */
  image: number;
  label: number;
  /** Messages in step order. */
  samples: PinnedSample[];
}

/** Thumbnails of the held-out images that produce the selected message. */
export interface MessageImages {
  /** Test-split indices, in the order of `pixels`. */
  indices: number[];
  /** Interleaved HWC bytes: [indices.length, 32, 32, 3]. */
  pixels: Uint8Array;
}

/** State of the inspector and the explorer. */
export interface InspectorState {
  /** Set of games the inspector browses. */
  set: InspectedSet;
  /** Index in the set of the selected game. */
  game: number;
  /** Class label the game list is filtered by, or null for every class. */
  classFilter: number | null;
  /** Whether the shown game is replayed again after each evaluation while the run trains. */
  follow: boolean;
  inspection: GameInspection | null;
  /** Id of the inspection request awaiting its response, or null. */
  pendingInspection: number | null;
  inspectionError: string | null;
  pinned: PinnedImage | null;
  language: LanguageReport | null;
  pendingLanguage: number | null;
  languageError: string | null;
  /** Token ids of the message whose images the explorer shows, or null. */
  selectedMessage: number[] | null;
  messageImages: MessageImages | null;
  pendingImages: number | null;
}

/** Events of the worker that the inspector state takes in. */
export type InspectorEvent = Extract<WorkerEvent, { type: 'inspection' | 'language' | 'images' | 'inspectionFailed' }>;

/** Returns the state before any run: held-out games, first game, every class, following training. */
export function emptyInspectorState(): InspectorState {
  return {
    set: 'heldOut',
    game: 0,
    classFilter: null,
    follow: true,
    inspection: null,
    pendingInspection: null,
    inspectionError: null,
    pinned: null,
    language: null,
    pendingLanguage: null,
    languageError: null,
    selectedMessage: null,
    messageImages: null,
    pendingImages: null,
  };
}

/** Returns whether two messages have the same token ids. */
export function sameTokens(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((token, i) => token === b[i]);
}

/**
 * Adds a message to a pinned image's history. A sample of the last step fills in a missing
 * rank. A sample older than the last one is ignored, because responses can arrive out of order.
 */
export function withPinnedSample(pinned: PinnedImage, sample: PinnedSample): PinnedImage {
  const last = pinned.samples[pinned.samples.length - 1];
  if (last !== undefined && sample.step < last.step) return pinned;
  if (last !== undefined && sample.step === last.step) {
    if (last.targetRank !== null || sample.targetRank === null) return pinned;
    return { ...pinned, samples: [...pinned.samples.slice(0, -1), sample] };
  }
  return { ...pinned, samples: [...pinned.samples, sample].slice(-MAX_PINNED_SAMPLES) };
}

/** Takes the pinned image's message and rank from an inspection of the held-out games. */
function pinnedFromInspection(pinned: PinnedImage | null, inspection: GameInspection): PinnedImage | null {
  if (pinned === null || inspection.set !== 'heldOut') return pinned;
  const entry = inspection.games.find((game) => game.image === pinned.image);
  if (entry === undefined) return pinned;
  return withPinnedSample(pinned, { step: inspection.step, tokens: entry.tokens, targetRank: entry.targetRank });
}

/** Takes the pinned image's message from a language report on the held-out games. */
function pinnedFromReport(pinned: PinnedImage | null, report: LanguageReport): PinnedImage | null {
  if (pinned === null) return pinned;
  const position = report.images.indexOf(pinned.image);
  const message = report.messages[report.imageMessages[position] ?? -1];
  if (position < 0 || message === undefined) return pinned;
  return withPinnedSample(pinned, { step: report.step, tokens: message.tokens, targetRank: null });
}

/** Applies one worker event to the inspector state. Responses to superseded requests only feed the pinned history. */
export function applyInspectorEvent(state: InspectorState, event: InspectorEvent): InspectorState {
  switch (event.type) {
    case 'inspection': {
      const pinned = pinnedFromInspection(state.pinned, event.inspection);
      if (event.requestId !== state.pendingInspection) return { ...state, pinned };
      const { inspection } = event;
      return { ...state, pinned, inspection, set: inspection.set, game: inspection.game, pendingInspection: null, inspectionError: null };
    }
    case 'language': {
      const pinned = pinnedFromReport(state.pinned, event.report);
      const answered = event.requestId !== null && event.requestId === state.pendingLanguage;
      const newer = state.language === null || event.report.step >= state.language.step;
      return {
        ...state,
        pinned,
        language: newer ? event.report : state.language,
        pendingLanguage: answered ? null : state.pendingLanguage,
        languageError: answered || newer ? null : state.languageError,
      };
    }
    case 'images':
      if (event.requestId !== state.pendingImages) return state;
      return { ...state, messageImages: { indices: event.indices, pixels: event.pixels }, pendingImages: null };
    case 'inspectionFailed':
      return withFailure(state, event.requestId, event.message);
  }
}

function withFailure(state: InspectorState, requestId: number, message: string): InspectorState {
  if (requestId === state.pendingInspection) return { ...state, pendingInspection: null, inspectionError: message };
  if (requestId === state.pendingLanguage) return { ...state, pendingLanguage: null, languageError: message };
  if (requestId === state.pendingImages) return { ...state, pendingImages: null, languageError: message };
  return state;
}

/** Returns the indices in `games` of the games whose target is of class `classFilter` (all when null). */
export function filteredGames(games: readonly { label: number }[], classFilter: number | null): number[] {
  const indices: number[] = [];
  for (const [index, game] of games.entries()) {
    if (classFilter === null || game.label === classFilter) indices.push(index);
  }
  return indices;
}

/**
 * Returns the game `offset` places from `current` among `candidates` (sorted game indices),
 * clamped to the first and last. When `current` is not among them, moving forward starts at the
 * first candidate after it and moving back at the last one before it.
 */
export function stepGame(candidates: readonly number[], current: number, offset: number): number | null {
  if (candidates.length === 0) return null;
  let position = candidates.indexOf(current);
  if (position < 0) {
    // Place `current` between its neighbours, so that one step either way lands on one of them.
    const firstAfter = candidates.findIndex((game) => game > current);
    const after = firstAfter < 0 ? candidates.length : firstAfter;
    position = offset > 0 ? after - 1 : after;
  }
  const target = Math.min(candidates.length - 1, Math.max(0, position + offset));
  return candidates[target] as number;
}

/** Returns the test-split indices of the images of a report that produce `tokens`, at most `limit`. */
export function imagesWithMessage(report: LanguageReport, tokens: readonly number[], limit: number): number[] {
  const messageIndex = report.messages.findIndex((message) => sameTokens(message.tokens, tokens));
  if (messageIndex < 0) return [];
  const images: number[] = [];
  for (const [position, index] of report.imageMessages.entries()) {
    if (index === messageIndex) images.push(report.images[position] as number);
    if (images.length >= limit) break;
  }
  return images;
}

/** Consecutive samples of a pinned image with the same message. */
export interface MessageSpan {
  firstStep: number;
  lastStep: number;
  tokens: number[];
  /** Best rank of the image in its held-out game over the span, or null when none was measured. */
  bestRank: number | null;
}

/** Groups a pinned image's samples into spans of the same message, oldest first. */
export function messageSpans(samples: readonly PinnedSample[]): MessageSpan[] {
  const spans: MessageSpan[] = [];
  for (const sample of samples) {
    const last = spans[spans.length - 1];
    if (last !== undefined && sameTokens(last.tokens, sample.tokens)) {
      last.lastStep = sample.step;
      if (sample.targetRank !== null) last.bestRank = Math.min(last.bestRank ?? Infinity, sample.targetRank);
      continue;
    }
    spans.push({ firstStep: sample.step, lastStep: sample.step, tokens: sample.tokens, bestRank: sample.targetRank });
  }
  return spans;
}
