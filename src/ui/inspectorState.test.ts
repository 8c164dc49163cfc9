import { describe, expect, it } from 'vitest';
import type { MessageCount } from '../game/language';
import type { GameInspection, LanguageReport } from '../worker/protocol';
import { heatLevel, heatmapColumns, imagesOutsideColumns, topTokensByPosition } from './explorerData';
import {
  type InspectorState,
  applyInspectorEvent,
  emptyInspectorState,
  filteredGames,
  imagesWithMessage,
  messageSpans,
  stepGame,
  withPinnedSample,
} from './inspectorState';

function inspection(step: number, ranks: number[]): GameInspection {
  return {
    step,
    set: 'heldOut',
    split: 'test',
    game: 1,
    games: ranks.map((targetRank, i) => ({ image: 100 + i, label: i % 2, tokens: [i + 1, 0], targetRank })),
    ranking: [],
    pixels: new Uint8Array(0),
    elapsedMs: 12,
  };
}

function message(tokens: number[], classCounts: number[]): MessageCount {
  return { tokens, count: classCounts.reduce((a, b) => a + b, 0), classCounts };
}

function report(step: number): LanguageReport {
  const messages = [message([1, 0], [3, 0, 1]), message([2, 0], [0, 2, 0]), message([3], [0, 0, 1])];
  return {
    step,
    imageCount: 7,
    classCount: 3,
    distinctMessages: 3,
    entropyBits: 1.5,
    hashingIndex: 0,
    purity: 0.8,
    topographicSimilarity: 0.2,
    topographicPairs: 21,
    tokenUsage: [
      [0, 4, 2, 1],
      [6, 0, 0, 0],
    ],
    messages,
    imageMessages: [0, 0, 1, 0, 1, 2, 0],
    perClass: [
      { label: 0, images: 3, distinctMessages: 1, topMessage: 0, topMessageShare: 1, purity: 0.75 },
      { label: 1, images: 2, distinctMessages: 1, topMessage: 1, topMessageShare: 1, purity: 1 },
      { label: 2, images: 2, distinctMessages: 2, topMessage: 0, topMessageShare: 0.5, purity: 0.625 },
    ],
    images: [100, 101, 102, 103, 104, 105, 106],
    labels: [0, 0, 1, 2, 1, 2, 0],
    maxLen: 2,
    vocabSize: 4,
  };
}

describe('applyInspectorEvent', () => {
  it('takes the awaited inspection and ignores superseded ones', () => {
    const waiting: InspectorState = { ...emptyInspectorState(), pendingInspection: 2 };
    const stale = applyInspectorEvent(waiting, { type: 'inspection', requestId: 1, inspection: inspection(5, [1, 2]) });
    expect(stale.inspection).toBeNull();
    expect(stale.pendingInspection).toBe(2);
    const answered = applyInspectorEvent(waiting, { type: 'inspection', requestId: 2, inspection: inspection(5, [1, 2]) });
    expect(answered.inspection?.step).toBe(5);
    expect(answered.pendingInspection).toBeNull();
    expect(answered.game).toBe(1);
  });

  it('keeps the newest language report', () => {
    const first = applyInspectorEvent(emptyInspectorState(), { type: 'language', requestId: null, report: report(10) });
    const older = applyInspectorEvent(first, { type: 'language', requestId: null, report: report(4) });
    expect(older.language?.step).toBe(10);
  });

  it('routes a failure to the request it answers', () => {
    const waiting: InspectorState = { ...emptyInspectorState(), pendingInspection: 3, pendingLanguage: 4 };
    const failed = applyInspectorEvent(waiting, { type: 'inspectionFailed', requestId: 4, message: 'no run' });
    expect(failed.languageError).toBe('no run');
    expect(failed.pendingLanguage).toBeNull();
    expect(failed.pendingInspection).toBe(3);
    expect(failed.inspectionError).toBeNull();
  });

  it('records the pinned image from inspections and reports', () => {
    const pinned: InspectorState = { ...emptyInspectorState(), pinned: { image: 101, label: 1, samples: [] } };
    const fromInspection = applyInspectorEvent(pinned, { type: 'inspection', requestId: 9, inspection: inspection(5, [1, 3]) });
    expect(fromInspection.pinned?.samples).toEqual([{ step: 5, tokens: [2, 0], targetRank: 3 }]);
    const fromReport = applyInspectorEvent(fromInspection, { type: 'language', requestId: null, report: report(10) });
    expect(fromReport.pinned?.samples.at(-1)).toEqual({ step: 10, tokens: [1, 0], targetRank: null });
  });
});

describe('withPinnedSample', () => {
  const pinned = { image: 1, label: 0, samples: [{ step: 4, tokens: [1], targetRank: null }] };

  it('fills in the rank of the same step and ignores older steps', () => {
    expect(withPinnedSample(pinned, { step: 4, tokens: [1], targetRank: 2 }).samples).toEqual([{ step: 4, tokens: [1], targetRank: 2 }]);
    expect(withPinnedSample(pinned, { step: 3, tokens: [2], targetRank: 1 })).toBe(pinned);
    expect(withPinnedSample(pinned, { step: 6, tokens: [2], targetRank: 1 }).samples).toHaveLength(2);
  });
});

describe('messageSpans', () => {
  it('groups consecutive equal messages with their best rank', () => {
    const spans = messageSpans([
      { step: 0, tokens: [1, 0], targetRank: 9 },
      { step: 10, tokens: [1, 0], targetRank: 4 },
      { step: 20, tokens: [2, 0], targetRank: null },
      { step: 30, tokens: [1, 0], targetRank: 1 },
    ]);
    expect(spans).toEqual([
      { firstStep: 0, lastStep: 10, tokens: [1, 0], bestRank: 4 },
      { firstStep: 20, lastStep: 20, tokens: [2, 0], bestRank: null },
      { firstStep: 30, lastStep: 30, tokens: [1, 0], bestRank: 1 },
    ]);
  });
});

describe('game navigation', () => {
  it('filters games by class', () => {
    expect(filteredGames([{ label: 3 }, { label: 1 }, { label: 3 }], 3)).toEqual([0, 2]);
    expect(filteredGames([{ label: 3 }, { label: 1 }], null)).toEqual([0, 1]);
  });

  it('steps through the listed games and stops at the ends', () => {
    const games = [2, 5, 9];
    expect(stepGame(games, 5, 1)).toBe(9);
    expect(stepGame(games, 9, 1)).toBe(9);
    expect(stepGame(games, 2, -1)).toBe(2);
    expect(stepGame(games, 5, -Infinity)).toBe(2);
    expect(stepGame(games, 2, Infinity)).toBe(9);
  });

  it('enters the list from a game outside it', () => {
    expect(stepGame([2, 5, 9], 6, 1)).toBe(9);
    expect(stepGame([2, 5, 9], 6, -1)).toBe(5);
    expect(stepGame([2, 5, 9], 0, 1)).toBe(2);
    expect(stepGame([2, 5, 9], 10, -1)).toBe(9);
    expect(stepGame([], 0, 1)).toBeNull();
  });
});

describe('explorer views', () => {
  it('finds the images of a message', () => {
    expect(imagesWithMessage(report(1), [2, 0], 10)).toEqual([102, 104]);
    expect(imagesWithMessage(report(1), [1, 0], 2)).toEqual([100, 101]);
    expect(imagesWithMessage(report(1), [4, 0], 10)).toEqual([]);
  });

  it('orders heatmap columns by dominant class', () => {
    const columns = heatmapColumns(report(1), 3);
    expect(columns).toEqual([0, 1, 2]);
    expect(heatmapColumns({ messages: [message([1], [0, 5]), message([2], [3, 0])] }, 2)).toEqual([1, 0]);
    expect(imagesOutsideColumns(report(1), [0])).toEqual([0, 2, 1]);
  });

  it('shades only non-empty cells, darker for larger shares', () => {
    expect(heatLevel(0, 10)).toBe(0);
    expect(heatLevel(1, 100)).toBe(1);
    expect(heatLevel(10, 10)).toBe(9);
    expect(heatLevel(5, 10)).toBe(5);
  });

  it('lists the most used tokens per position', () => {
    expect(topTokensByPosition(report(1).tokenUsage, 6, 2)).toEqual([
      [
        { token: 1, share: 4 / 6 },
        { token: 2, share: 2 / 6 },
      ],
      [{ token: 0, share: 1 }],
    ]);
  });
});
