/**
 * Views of a language report for the vocabulary explorer: which messages the class x message
 * heatmap shows and in which order, shade levels, and the most used tokens per position.
 */
import type { MessageCount } from '../game/language';
import type { LanguageReport } from '../worker/protocol';

/** Shade levels of a heatmap cell: 0 for an empty cell, 1 to HEAT_LEVELS - 1 by share. */
export const HEAT_LEVELS = 10;

/** Returns the class with the most images of a message, the lowest label on ties. */
export function dominantClass(message: MessageCount): number {
  let best = 0;
  for (const [label, count] of message.classCounts.entries()) {
    if (count > (message.classCounts[best] as number)) best = label;
  }
  return best;
}

/**
 * Picks the `maxColumns` most frequent messages of a report and orders them by dominant class,
 * then by count, so that a naming language shows as a diagonal. Returns indices into `messages`.
 */
export function heatmapColumns(report: Pick<LanguageReport, 'messages'>, maxColumns: number): number[] {
  const picked = report.messages.slice(0, maxColumns).map((message, index) => ({ index, count: message.count, dominant: dominantClass(message) }));
  picked.sort((a, b) => a.dominant - b.dominant || b.count - a.count || a.index - b.index);
  return picked.map((entry) => entry.index);
}

/** Returns, per class, the images whose message is not among `columns`. */
export function imagesOutsideColumns(report: Pick<LanguageReport, 'messages' | 'perClass'>, columns: readonly number[]): number[] {
  const shown = new Set(columns);
  return report.perClass.map((entry) => {
    let inside = 0;
    for (const index of shown) inside += report.messages[index]?.classCounts[entry.label] ?? 0;
    return entry.images - inside;
  });
}

/** Returns the shade level of `count` images out of `total`: 0 when count is 0, else 1 to HEAT_LEVELS - 1. */
export function heatLevel(count: number, total: number): number {
  if (count <= 0 || total <= 0) return 0;
  return 1 + Math.min(HEAT_LEVELS - 2, Math.floor((count / total) * (HEAT_LEVELS - 1)));
}

/** A token and the share of messages that use it at a position. */
export interface TokenShare {
  token: number;
  share: number;
}

/** Returns the `count` most used tokens at each position, with their share of all images. */
export function topTokensByPosition(usage: readonly (readonly number[])[], images: number, count: number): TokenShare[][] {
  return usage.map((row) =>
    row
      .map((used, token) => ({ token, share: images === 0 ? 0 : used / images }))
      .filter((entry) => entry.share > 0)
      .sort((a, b) => b.share - a.share || a.token - b.token)
      .slice(0, count),
  );
}
