/**
 * Saved runs on the page: the browser's IndexedDB copy of each saved-run file, and the check of
 * a file's metric history before it reaches the store.
 */
import type { RunConfig } from '../game/config';
import { type RunSnapshot, SnapshotError, decodeSnapshot } from '../game/snapshot';
import type { EvalRecord, MetricHistory, StepRecord } from '../worker/protocol';

const DATABASE_NAME = 'emergent-language-playground';
const DATABASE_VERSION = 1;
const RUN_STORE = 'savedRuns';

/** A saved run as listed on the page. */
export interface SavedRunInfo {
  name: string;
  /** Training steps the saved run had taken. */
  step: number;
  /** Time of the save, in milliseconds since the Unix epoch. */
  savedAt: number;
}

interface SavedRunRecord extends SavedRunInfo {
  bytes: ArrayBuffer;
}

/** A saved-run file that has passed every check the page can make, ready to load. */
export interface CheckedRun {
  bytes: ArrayBuffer;
  config: RunConfig;
  history: MetricHistory;
  step: number;
}

/**
 * Decodes a saved-run file and checks its metric history. Throws a `SnapshotError` with a message
 * for the screen when the file is damaged or of another version.
 */
export function checkRunFile(bytes: ArrayBuffer): CheckedRun {
  const snapshot: RunSnapshot = decodeSnapshot(bytes);
  const stepLog = snapshot.history.stepLog.map((record, index) => checkRecord<StepRecord>(record, ['step', 'loss', 'trainSuccess', 'gamesPerSecond', 'elapsedMs'], `step record ${index + 1}`));
  const evalLog = snapshot.history.evalLog.map((record, index) => checkRecord<EvalRecord>(record, ['step', 'games', 'commSuccess', 'top5Success'], `evaluation record ${index + 1}`));
  return { bytes, config: snapshot.config, history: { stepLog, evalLog }, step: snapshot.progress.step };
}

function checkRecord<T>(record: unknown, numericFields: readonly string[], label: string): T {
  if (typeof record !== 'object' || record === null) throw new SnapshotError(`The saved run's ${label} is not an object. The file is damaged.`);
  for (const field of numericFields) {
    const value = (record as Record<string, unknown>)[field];
    if (typeof value !== 'number') throw new SnapshotError(`The saved run's ${label} has ${field} ${JSON.stringify(value) ?? 'missing'}, expected a number. The file is damaged.`);
  }
  // The fields the charts read were checked above; optional ones are read only when numbers.
  return record as T;
}

/** Returns a storage failure as a sentence for the screen, saying what to do next. */
export function describeStorageError(error: unknown, action: string): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'QuotaExceededError') {
    return `${action} failed: the browser's storage for this page is full. Earlier saves are kept; delete site data or use the downloaded file instead.`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `${action} failed: the browser's storage (IndexedDB) is unavailable (${reason}). Earlier saves are kept; use the downloaded file instead.`;
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser offers no IndexedDB'));
      return;
    }
    const request = indexedDB.open(DATABASE_NAME, DATABASE_VERSION);
    request.onupgradeneeded = () => request.result.createObjectStore(RUN_STORE, { keyPath: 'name' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('opening the database failed'));
    request.onblocked = () => reject(new Error('another tab has an older version of the database open; close it and try again'));
  });
}

/** Runs one request in its own transaction; the transaction's failure leaves the stored runs unchanged. */
async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(RUN_STORE, mode);
      const request = use(transaction.objectStore(RUN_STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? request.error ?? new Error('the transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('the transaction was aborted'));
    });
  } finally {
    database.close();
  }
}

/** Stores a saved-run file under `name`, replacing a save of that name. */
export async function storeRun(name: string, step: number, bytes: ArrayBuffer): Promise<void> {
  const record: SavedRunRecord = { name, step, savedAt: Date.now(), bytes };
  await withStore('readwrite', (store) => store.put(record));
}

/** Lists the stored runs, newest first. */
export async function listRuns(): Promise<SavedRunInfo[]> {
  const records = (await withStore('readonly', (store) => store.getAll())) as SavedRunRecord[];
  return records.map(({ name, step, savedAt }) => ({ name, step, savedAt })).sort((a, b) => b.savedAt - a.savedAt);
}

/** Reads the file of the stored run `name`. */
export async function readRun(name: string): Promise<ArrayBuffer> {
  const record = (await withStore('readonly', (store) => store.get(name))) as SavedRunRecord | undefined;
  if (record === undefined) throw new Error(`no saved run is named "${name}"`);
  return record.bytes;
}
