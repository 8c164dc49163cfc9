/**
 * Metrics of evaluation games, computed from the receiver's scores (Mihai & Hare, 2019).
 *
 * Every game ranks all candidates by score, best first. Ties are broken against the target, so a
 * receiver that scores every candidate alike never looks successful.
 */

/** Number of first-ranked candidates that the top-5 metrics look at. */
export const TOP_K = 5;

/** Outcome of one game. */
export interface GameOutcome {
  /** 1-based rank of the target among all candidates. */
  targetRank: number;
  /** Images of the target's class, the target included, among the first TOP_K. */
  targetClassInTopK: number;
  /** Mean 1-based rank of the distractors of the target's class; NaN when there are none. */
  targetClassAvgRank: number;
}

/** Aggregate metrics over games. */
export interface GameMetrics {
  games: number;
  commSuccess: number;
  commSuccessStd: number;
  top5Success: number;
  targetClassInTop5: number;
  /** Mean over games that have at least one distractor of the target's class. */
  targetClassAvgRank: number;
}

/**
 * Returns candidate indices best first for one game's scores, ties ordered by index except that
 * the target goes after every candidate tied with it.
 */
export function rankCandidates(scores: ArrayLike<number>, target: number): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => {
    const diff = (scores[b] as number) - (scores[a] as number);
    if (diff !== 0) return diff;
    if (a === target) return 1;
    if (b === target) return -1;
    return a - b;
  });
  return order;
}

/**
 * Scores each game of a square block: `scores` is row-major [games, games] where game i's target
 * is candidate i; `labels[j]` is candidate j's class.
 */
export function scoreGames(scores: ArrayLike<number>, labels: ArrayLike<number>): GameOutcome[] {
  const games = labels.length;
  if (scores.length !== games * games) {
    throw new Error(`expected ${games}x${games} scores for ${games} games, found ${scores.length}`);
  }
  const outcomes: GameOutcome[] = [];
  for (let i = 0; i < games; i++) {
    const row = Array.prototype.slice.call(scores, i * games, (i + 1) * games) as number[];
    outcomes.push(outcomeOf(rankCandidates(row, i), i, labels));
  }
  return outcomes;
}

function outcomeOf(order: number[], target: number, labels: ArrayLike<number>): GameOutcome {
  const targetClass = labels[target];
  let targetRank = 0;
  let targetClassInTopK = 0;
  let classRankSum = 0;
  let classCount = 0;
  for (const [position, candidate] of order.entries()) {
    const rank = position + 1;
    if (candidate === target) targetRank = rank;
    if (labels[candidate] !== targetClass) continue;
    if (rank <= TOP_K) targetClassInTopK++;
    if (candidate !== target) {
      classRankSum += rank;
      classCount++;
    }
  }
  return { targetRank, targetClassInTopK, targetClassAvgRank: classCount > 0 ? classRankSum / classCount : NaN };
}

/** Aggregates game outcomes into the four metrics, with the standard deviation of success. */
export function summariseGames(outcomes: GameOutcome[]): GameMetrics {
  const games = outcomes.length;
  if (games === 0) throw new Error('cannot summarise zero games');
  let successes = 0;
  let top5 = 0;
  let classInTop5 = 0;
  let classRankSum = 0;
  let gamesWithClass = 0;
  for (const outcome of outcomes) {
    if (outcome.targetRank === 1) successes++;
    if (outcome.targetRank <= TOP_K) top5++;
    classInTop5 += outcome.targetClassInTopK;
    if (!Number.isNaN(outcome.targetClassAvgRank)) {
      classRankSum += outcome.targetClassAvgRank;
      gamesWithClass++;
    }
  }
  const commSuccess = successes / games;
  return {
    games,
    commSuccess,
    // Population standard deviation of a 0/1 outcome.
    commSuccessStd: Math.sqrt(commSuccess * (1 - commSuccess)),
    top5Success: top5 / games,
    targetClassInTop5: classInTop5 / games,
    targetClassAvgRank: gamesWithClass > 0 ? classRankSum / gamesWithClass : NaN,
  };
}
