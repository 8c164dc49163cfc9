/**
 * Measures of the emergent language on a set of images, from the messages the sender produced
 * for them and the images' classes. Pure TypeScript with no TF.js import, so the worker, tests
 * and headless scripts share it.
 *
 * A message is the token ids as the sender emitted them: up to maxLen ids, ending with the
 * end-of-sequence token (id 0) when the sender emitted it before maxLen. Two messages are the same
 * when their id sequences are equal, because that is what the receiver reads.
 */
import { Rng } from './random';

/** Token ids of one message, end-of-sequence included when emitted. */
export type TokenIds = readonly number[];

/** One distinct message and the images that produce it. */
export interface MessageCount {
  tokens: number[];
  /** Images that produce this message. */
  count: number;
  /** Images that produce this message, per class: [classes]. */
  classCounts: number[];
}

/** Naming statistics of one class. */
export interface ClassLanguage {
  label: number;
  /** Images of this class. */
  images: number;
  /** Distinct messages among this class's images. */
  distinctMessages: number;
  /** Index into `LanguageSummary.messages` of the class's most frequent message; -1 without images. */
  topMessage: number;
  /** Share of this class's images that produce its most frequent message, 0-1 (consistency). */
  topMessageShare: number;
  /**
   * Mean, over this class's images, of the share of images with the same message that belong to
   * this class, 0-1. It is 1 when no other class uses the class's messages.
   */
  purity: number;
}

/** Every measure of a language on one set of images. */
export interface LanguageSummary {
  imageCount: number;
  /** Classes with at least one image. */
  classCount: number;
  distinctMessages: number;
  /** Shannon entropy of the message distribution over the images, in bits. */
  entropyBits: number;
  /** See `hashingIndex`: 0 for one message per class, 1 for one message per image. */
  hashingIndex: number;
  /** Mean of the per-class purity weighted by class size, 0-1. */
  purity: number;
  /** Spearman correlation of feature and message distances; NaN when undefined. */
  topographicSimilarity: number;
  /** Image pairs behind `topographicSimilarity`. */
  topographicPairs: number;
  /** Token counts per position: [maxLen][vocabSize]. */
  tokenUsage: number[][];
  /** Distinct messages, most frequent first, ties in order of first appearance. */
  messages: MessageCount[];
  /** Index into `messages` of each image's message: [imageCount]. */
  imageMessages: number[];
  /** One entry per class label 0..classes - 1. */
  perClass: ClassLanguage[];
}

/** Returns a string that is equal for equal messages and different otherwise. */
export function messageKey(tokens: TokenIds): string {
  return tokens.join(',');
}

/** Distinct messages of a set of images and which message each image produces. */
export interface MessageTable {
  messages: MessageCount[];
  imageMessages: number[];
}

/**
 * Groups images by message. `labels[i]` is image i's class in 0..classes - 1. Messages come most
 * frequent first; equal counts keep the order in which the messages first appear.
 */
export function tabulateMessages(messages: readonly TokenIds[], labels: ArrayLike<number>, classes: number): MessageTable {
  if (messages.length !== labels.length) {
    throw new Error(`expected one label per message, found ${labels.length} labels for ${messages.length} messages`);
  }
  const byKey = new Map<string, MessageCount>();
  for (const [i, tokens] of messages.entries()) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new Error(`label ${label} of image ${i} is outside 0..${classes - 1}`);
    const key = messageKey(tokens);
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { tokens: [...tokens], count: 0, classCounts: new Array<number>(classes).fill(0) };
      byKey.set(key, entry);
    }
    entry.count++;
    entry.classCounts[label] = (entry.classCounts[label] as number) + 1;
  }

  // Array.prototype.sort is stable, so equal counts keep their first-appearance order.
  const sorted = [...byKey.values()].sort((a, b) => b.count - a.count);
  const indexOfKey = new Map(sorted.map((entry, index) => [messageKey(entry.tokens), index]));
  const imageMessages = messages.map((tokens) => indexOfKey.get(messageKey(tokens)) as number);
  return { messages: sorted, imageMessages };
}

/** Returns the Shannon entropy, in bits, of the distribution given by counts. */
export function entropyBits(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let entropy = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / total;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/**
 * Places the number of distinct messages between the number of classes and the number of images
 * on a log scale: ln(messages / classes) / ln(images / classes).
 *
 * It is 0 when there are as many messages as classes (the count of a naming language), and 1 when
 * every image has its own message (a hash). It is negative when there are fewer messages than
 * classes: a constant message over 10 classes and 1,024 images gives -0.50. It counts messages
 * only, so whether the messages follow the classes is left to purity. NaN when images <= classes.
 */
export function hashingIndex(distinctMessages: number, images: number, classes: number): number {
  if (images <= classes || classes < 1 || distinctMessages < 1) return NaN;
  return Math.log(distinctMessages / classes) / Math.log(images / classes);
}

/**
 * Counts the tokens at each position: result[t][v] is the number of messages whose token at
 * position t is v. Positions after a message's end-of-sequence token have no token.
 */
export function tokenUsageByPosition(messages: readonly TokenIds[], maxLen: number, vocabSize: number): number[][] {
  const usage = Array.from({ length: maxLen }, () => new Array<number>(vocabSize).fill(0));
  for (const tokens of messages) {
    if (tokens.length > maxLen) throw new Error(`a message of ${tokens.length} tokens is longer than maxLen ${maxLen}`);
    for (const [position, token] of tokens.entries()) {
      const row = usage[position] as number[];
      if (!Number.isInteger(token) || token < 0 || token >= vocabSize) throw new Error(`token ${token} is outside the vocabulary 0..${vocabSize - 1}`);
      row[token] = (row[token] as number) + 1;
    }
  }
  return usage;
}

/** Returns the Levenshtein distance (insertions, deletions and substitutions of tokens) of two messages. */
export function editDistance(a: TokenIds, b: TokenIds): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const deletion = (previous[j] as number) + 1;
      const insertion = (current[j - 1] as number) + 1;
      current.push(Math.min(substitution, deletion, insertion));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Returns 1-based ranks of the values, tied values sharing the mean of their ranks. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1] as number] === values[order[start] as number]) end++;
    const meanRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k] as number] = meanRank;
    start = end + 1;
  }
  return ranks;
}

/** Returns the Pearson correlation of two equally long samples; NaN when either is constant. */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`cannot correlate samples of ${x.length} and ${y.length} values`);
  const n = x.length;
  // Checked exactly, because rounding in the means would leave a constant sample a tiny variance.
  if (isConstant(x) || isConstant(y)) return NaN;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i] as number;
    meanY += y[i] as number;
  }
  meanX /= n;
  meanY /= n;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - meanX;
    const dy = (y[i] as number) - meanY;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  return covariance / Math.sqrt(varianceX * varianceY);
}

function isConstant(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/** Returns Spearman's rank correlation (Pearson on average ranks); NaN when either sample is constant. */
export function spearmanCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearsonCorrelation(averageRanks(x), averageRanks(y));
}

/** Result of a topographic similarity measurement. */
export interface TopographicSimilarity {
  /** Spearman correlation, -1 to 1; NaN when undefined. */
  value: number;
  pairs: number;
}

/**
 * Measures topographic similarity over every pair of a sample of images: the Spearman correlation
 * between the distances of the images' features and the edit distances of their messages.
 * `featureDistances` is the row-major [n, n] distance matrix of the n sampled images, and
 * `messages[i]` is sampled image i's message. Only pairs i < j count. It is NaN when all message
 * distances or all feature distances are equal, e.g. for a constant message.
 */
export function topographicSimilarity(messages: readonly TokenIds[], featureDistances: ArrayLike<number>): TopographicSimilarity {
  const n = messages.length;
  if (featureDistances.length !== n * n) {
    throw new Error(`expected a ${n}x${n} distance matrix for ${n} messages, found ${featureDistances.length} values`);
  }
  const pairs = (n * (n - 1)) / 2;
  const featureDistance = new Float64Array(pairs);
  const messageDistance = new Float64Array(pairs);
  let pair = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      featureDistance[pair] = featureDistances[i * n + j] as number;
      messageDistance[pair] = editDistance(messages[i] as TokenIds, messages[j] as TokenIds);
      pair++;
    }
  }
  return { value: pairs < 2 ? NaN : spearmanCorrelation(featureDistance, messageDistance), pairs };
}

/**
 * Picks the images whose pairs topographic similarity is measured on: `count` of `images` indices,
 * or all of them when there are fewer, drawn from a generator seeded with `seed`.
 */
export function sampleImages(images: number, count: number, seed: number): number[] {
  const order = new Rng(seed).permutation(images);
  return Array.from(order.subarray(0, Math.min(count, images))).sort((a, b) => a - b);
}

/** Returns the row-major [n, n] cosine distances (1 - cosine similarity) of feature vectors. */
export function cosineDistances(features: readonly (readonly number[])[]): Float64Array {
  const n = features.length;
  const norms = features.map((f) => Math.sqrt(f.reduce((sum, v) => sum + v * v, 0)));
  const distances = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = features[i] as readonly number[];
      const b = features[j] as readonly number[];
      let dot = 0;
      for (let k = 0; k < a.length; k++) dot += (a[k] as number) * (b[k] as number);
      const denominator = (norms[i] as number) * (norms[j] as number);
      distances[i * n + j] = denominator === 0 ? 1 : 1 - dot / denominator;
    }
  }
  return distances;
}

/** Describes every class: size, distinct messages, most frequent message and purity. */
export function describeClasses(table: MessageTable, classes: number): ClassLanguage[] {
  const perClass: ClassLanguage[] = Array.from({ length: classes }, (_, label) => ({
    label,
    images: 0,
    distinctMessages: 0,
    topMessage: -1,
    topMessageShare: 0,
    purity: 0,
  }));
  for (const [index, message] of table.messages.entries()) {
    for (const [label, count] of message.classCounts.entries()) {
      const entry = perClass[label] as ClassLanguage;
      if (count === 0) continue;
      entry.images += count;
      entry.distinctMessages++;
      // Each of the `count` images finds count / message.count of its message's images in its class.
      entry.purity += (count * count) / message.count;
      const topCount = entry.topMessage < 0 ? 0 : ((table.messages[entry.topMessage] as MessageCount).classCounts[label] as number);
      if (count > topCount) entry.topMessage = index;
    }
  }
  for (const entry of perClass) {
    if (entry.images === 0) continue;
    const top = table.messages[entry.topMessage] as MessageCount;
    entry.topMessageShare = (top.classCounts[entry.label] as number) / entry.images;
    entry.purity /= entry.images;
  }
  return perClass;
}

/** Inputs of `summariseLanguage`. */
export interface LanguageInput {
  /** One message per image. */
  messages: readonly TokenIds[];
  /** One class label per image, 0..classes - 1. */
  labels: ArrayLike<number>;
  classes: number;
  maxLen: number;
  vocabSize: number;
  /** Indices of the images sampled for topographic similarity, and their [n, n] feature distances. */
  sample: { images: readonly number[]; featureDistances: ArrayLike<number> };
}

/** Computes every language measure of `LanguageSummary` for one set of images. */
export function summariseLanguage(input: LanguageInput): LanguageSummary {
  const { messages, labels, classes } = input;
  const table = tabulateMessages(messages, labels, classes);
  const perClass = describeClasses(table, classes);
  const classCount = perClass.filter((entry) => entry.images > 0).length;
  const imageCount = messages.length;
  const sampledMessages = input.sample.images.map((image) => {
    const tokens = messages[image];
    if (tokens === undefined) throw new Error(`sampled image ${image} is outside the ${imageCount} images`);
    return tokens;
  });
  const topographic = topographicSimilarity(sampledMessages, input.sample.featureDistances);
  const purityTotal = perClass.reduce((sum, entry) => sum + entry.purity * entry.images, 0);
  return {
    imageCount,
    classCount,
    distinctMessages: table.messages.length,
    entropyBits: entropyBits(table.messages.map((message) => message.count)),
    hashingIndex: hashingIndex(table.messages.length, imageCount, classCount),
    purity: imageCount === 0 ? NaN : purityTotal / imageCount,
    topographicSimilarity: topographic.value,
    topographicPairs: topographic.pairs,
    tokenUsage: tokenUsageByPosition(messages, input.maxLen, input.vocabSize),
    messages: table.messages,
    imageMessages: table.imageMessages,
    perClass,
  };
}
