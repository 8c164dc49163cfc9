/** Figures of a soak run: memory samples and how they are summarised. */

/** One sample of a soak run. */
export interface MemorySample {
  minutes: number;
  step: number;
  gamesPerSecond: number;
  /** Tensors alive in the worker after its latest step. */
  tensorCount: number;
  /** Bytes of those tensors, in MiB. */
  tensorMB: number;
  /** Used JavaScript heap of the page (not of the worker), in MiB. */
  pageHeapMB: number;
  /** Resident memory of the browser and all its child processes, in MiB. */
  browserRssMB: number;
  /** Errors on screen. */
  errors: number;
}

/** The table and the verdict of a soak run. */
export interface SoakReport {
  header: string;
  rows: string[];
  summary: string;
  /** True when the tensor count stayed flat after the first sample and no error appeared. */
  ok: boolean;
}

/**
 * Sums the resident memory in KiB of process `rootPid` and its descendants, from the output of
 * `ps -e -o pid=,ppid=,rss=` (one "pid ppid rss" line per process).
 */
export function processTreeRssKb(psOutput: string, rootPid: number): number {
  const processes = psOutput
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((fields) => fields.length === 3 && fields.every(Number.isFinite));
  const inTree = new Set([rootPid]);
  // Children can be listed before their parents, so the tree grows until nothing is added.
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of processes) {
      if (pid !== undefined && ppid !== undefined && inTree.has(ppid) && !inTree.has(pid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  return processes.reduce((total, [pid, , rss]) => (pid !== undefined && inTree.has(pid) ? total + (rss ?? 0) : total), 0);
}

const COLUMNS = ['minute', 'step', 'games/s', 'tensors', 'tensor MB', 'page heap MB', 'browser RSS MB', 'errors'];

function row(sample: MemorySample): string {
  const cells = [sample.minutes.toFixed(1), String(sample.step), sample.gamesPerSecond.toFixed(0), String(sample.tensorCount), sample.tensorMB.toFixed(1), sample.pageHeapMB.toFixed(1), sample.browserRssMB.toFixed(0), String(sample.errors)];
  return cells.map((cell, index) => cell.padStart((COLUMNS[index] ?? '').length)).join('  ');
}

/** Returns the table of `samples` and a summary that compares the first and the last sample. */
export function describeSoak(samples: readonly MemorySample[]): SoakReport {
  const rows = samples.map(row);
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined) return { header: COLUMNS.join('  '), rows, summary: 'No samples were taken.', ok: false };
  const flatTensors = samples.every((sample) => sample.tensorCount === first.tensorCount);
  const errors = samples.some((sample) => sample.errors > 0);
  const summary =
    `After ${last.minutes.toFixed(1)} minutes and ${last.step} steps: tensors ${first.tensorCount} -> ${last.tensorCount} (${flatTensors ? 'flat' : 'CHANGED'}), ` +
    `tensor memory ${first.tensorMB.toFixed(1)} -> ${last.tensorMB.toFixed(1)} MB, page heap ${first.pageHeapMB.toFixed(1)} -> ${last.pageHeapMB.toFixed(1)} MB, ` +
    `browser RSS ${first.browserRssMB.toFixed(0)} -> ${last.browserRssMB.toFixed(0)} MB, ${errors ? 'errors on screen' : 'no errors on screen'}.`;
  return { header: COLUMNS.join('  '), rows, summary, ok: flatTensors && !errors };
}
