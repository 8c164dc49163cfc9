/**
 * Readable forms of messages and short verdicts on a language, for the inspector and the explorer.
 *
 * Token ids become syllables (1 is "ba", 2 "be", ..., 100 "shu"), so that a message can be read
 * aloud like a word. Ids above 100 repeat the syllables with a number ("ba2").
 */
import { EOS_TOKEN } from '../game/config';
import type { LanguageReport } from '../worker/protocol';

const CONSONANTS = ['b', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'y', 'z', 'ch', 'sh'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];
const SYLLABLES = CONSONANTS.length * VOWELS.length;

/** Symbol of the end-of-sequence token. */
export const EOS_SYMBOL = '\u220e';

/** Returns the readable symbol of a token id: a syllable, or the end-of-sequence mark for id 0. */
export function tokenSymbol(token: number): string {
  if (token === EOS_TOKEN) return EOS_SYMBOL;
  const index = token - 1;
  const within = index % SYLLABLES;
  const syllable = `${CONSONANTS[Math.floor(within / VOWELS.length)] as string}${VOWELS[within % VOWELS.length] as string}`;
  const cycle = Math.floor(index / SYLLABLES);
  return cycle === 0 ? syllable : `${syllable}${cycle + 1}`;
}

/** Returns a message as symbols separated by spaces, e.g. "ko ri ∎". */
export function messageText(tokens: readonly number[]): string {
  return tokens.map(tokenSymbol).join(' ');
}

/** Returns a message as token ids, e.g. "33 62 0", for tooltips and screen readers. */
export function messageIds(tokens: readonly number[]): string {
  return tokens.join(' ');
}

/** Kind of a language by what it does with images, by rule of thumb. */
export type LanguageKind = 'names' | 'hash' | 'few-messages' | 'between' | 'undetermined';

/** Hashing index at or above which most images get a message of their own. */
export const HASH_THRESHOLD = 0.6;

/** Hashing index at or below which messages are about as many as classes. */
export const NAME_THRESHOLD = 0.3;

/** Purity at or above which the messages count as following the classes. */
export const PURITY_THRESHOLD = 0.5;

/** Classifies a language from its hashing index and purity. The thresholds are rules of thumb, not sharp limits. */
export function languageKind(report: Pick<LanguageReport, 'hashingIndex' | 'purity'>): LanguageKind {
  const { hashingIndex, purity } = report;
  if (Number.isNaN(hashingIndex) || Number.isNaN(purity)) return 'undetermined';
  if (hashingIndex >= HASH_THRESHOLD) return 'hash';
  if (hashingIndex > NAME_THRESHOLD) return 'between';
  return purity >= PURITY_THRESHOLD ? 'names' : 'few-messages';
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** Returns one sentence on whether the language names classes or hashes images. */
export function languageVerdict(report: LanguageReport): string {
  const counts = `${report.distinctMessages} distinct messages for ${report.imageCount} images of ${report.classCount} classes`;
  const purity = `${percent(report.purity)} of the images that share a message are, on average, of the same class`;
  const kind = languageKind(report);
  switch (kind) {
    case 'hash':
      return `Hashes images: ${counts}, so most images get a message of their own.`;
    case 'names':
      return `Names classes: ${counts}, and ${purity}.`;
    case 'few-messages':
      return `Few messages, and they do not follow the classes: ${counts}; only ${purity}.`;
    case 'between':
      return `Between names and hashes: ${counts}; ${purity}.`;
    case 'undetermined':
      return `Undetermined: ${counts}, too few images to tell names from hashes.`;
  }
}
