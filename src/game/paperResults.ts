/**
 * Published results of the experiments the playground reproduces: Mihai & Hare, "Avoiding hashing
 * and encouraging visual semantics in referential emergent language games", 3rd NeurIPS Workshop
 * on Emergent Communication, 2019, as presented in J. Hare's talk "Learning to Communicate:
 * Challenges in optimising deep stochastic networks with categorical sampling".
 *
 * Setting: CIFAR-10 at 32x32, vocabulary 100, messages of at most 5 tokens, games of 1 target and
 * 127 distractors, VGG16 feature extractor, Havrylov & Titov's sender and receiver, Adam, batch 128.
 */

/** One published row. Numbers are as printed, so their precision varies. */
export interface PublishedResult {
  /** Communication success rate. */
  commSuccess: number;
  /** Its standard deviation over games. */
  commSuccessStd: number;
  top5Success: number;
  /** Number of target-class images in the top 5. */
  targetClassInTop5: number;
  /** Average rank of the target-class images. */
  targetClassAvgRank: number;
  /** Rotation accuracy; only for the second task. */
  rotationAccuracy?: number;
}

/** Table 1: sender images (clean, Gaussian noise, random rotations) x feature extractor. */
export const EXTRACTOR_TABLE = {
  'pretrained-clean': { commSuccess: 0.88, commSuccessStd: 0.31, top5Success: 0.99, targetClassInTop5: 1.84, targetClassAvgRank: 46.58 },
  'random-clean': { commSuccess: 0.95, commSuccessStd: 0.19, top5Success: 1, targetClassInTop5: 1.66, targetClassAvgRank: 52.13 },
  'learned-clean': { commSuccess: 0.89, commSuccessStd: 0.3, top5Success: 1, targetClassInTop5: 1.53, targetClassAvgRank: 54.01 },
  'pretrained-noise': { commSuccess: 0.92, commSuccessStd: 0.26, top5Success: 0.99, targetClassInTop5: 1.85, targetClassAvgRank: 46.12 },
  'random-noise': { commSuccess: 0.96, commSuccessStd: 0.19, top5Success: 1, targetClassInTop5: 1.6, targetClassAvgRank: 54.01 },
  'learned-noise': { commSuccess: 0.94, commSuccessStd: 0.23, top5Success: 1, targetClassInTop5: 1.5, targetClassAvgRank: 57.11 },
  'pretrained-rotation': { commSuccess: 0.83, commSuccessStd: 0.37, top5Success: 0.99, targetClassInTop5: 2.07, targetClassAvgRank: 41.89 },
  'random-rotation': { commSuccess: 0.87, commSuccessStd: 0.33, top5Success: 0.99, targetClassInTop5: 1.7, targetClassAvgRank: 51.89 },
  'learned-rotation': { commSuccess: 0.92, commSuccessStd: 0.25, top5Success: 1, targetClassInTop5: 1.6, targetClassAvgRank: 55.96 },
} as const satisfies Record<string, PublishedResult>;

/** Table 2: the second task, predicting the rotation of the sender's image. */
export const ROTATION_TASK_TABLE = {
  'receiver-predicts': { commSuccess: 0.64, commSuccessStd: 0.48, top5Success: 0.95, targetClassInTop5: 1.84, targetClassAvgRank: 45.6, rotationAccuracy: 0.82 },
  'sender-predicts': { commSuccess: 0.69, commSuccessStd: 0.46, top5Success: 0.98, targetClassInTop5: 2.05, targetClassAvgRank: 43.41, rotationAccuracy: 0.84 },
} as const satisfies Record<string, PublishedResult>;
