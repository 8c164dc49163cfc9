/**
 * The runs of this page visit, kept for comparison: each finished run's settings and records.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { RunConfig } from '../game/config';
import type { EvalRecord, StepRecord } from '../worker/protocol';
import { experimentQuery } from './experimentLink';
import type { PlaygroundState } from './store';

/** Runs kept at most; the oldest is dropped first. */
export const MAX_KEPT_RUNS = 20;

/** One finished run. */
export interface RunSummary {
  id: number;
  /** The settings that differ from the defaults, and the seed, e.g. `backbone=narrow seed=3`. */
  label: string;
  config: RunConfig;
  steps: StepRecord[];
  evals: EvalRecord[];
}

export interface RunHistoryState {
  runs: RunSummary[];
  /** Ids of the runs overlaid on the comparison chart. */
  selected: number[];
  toggle: (id: number) => void;
}

/** Returns the settings of `config` that differ from the defaults, and its seed, as a short legend. */
export function runLabel(config: RunConfig): string {
  return experimentQuery(config).slice(1).split('&').join(' ');
}

export function createRunHistoryStore(): StoreApi<RunHistoryState> {
  return createStore<RunHistoryState>()((set) => ({
    runs: [],
    selected: [],
    toggle: (id) =>
      set((state) => ({
        selected: state.selected.includes(id) ? state.selected.filter((s) => s !== id) : [...state.selected, id],
      })),
  }));
}

/**
 * Archives each run of `playground` into `history` when it stops, if it recorded any step.
 * Returns the function that stops listening.
 */
export function recordFinishedRuns(playground: StoreApi<PlaygroundState>, history: StoreApi<RunHistoryState>): () => void {
  let nextId = 1;
  return playground.subscribe((state, previous) => {
    if (state.runState !== 'stopped' || previous.runState === 'stopped') return;
    if (state.runConfig === null || state.stepLog.length === 0) return;
    const run: RunSummary = { id: nextId++, label: runLabel(state.runConfig), config: state.runConfig, steps: state.stepLog, evals: state.evalLog };
    history.setState((current) => {
      const runs = [...current.runs, run].slice(-MAX_KEPT_RUNS);
      const kept = new Set(runs.map((r) => r.id));
      return { runs, selected: current.selected.filter((id) => kept.has(id)) };
    });
  });
}

/** The page's run history. */
export const runHistoryStore = createRunHistoryStore();

/** Reads a slice of the page's run history. */
export function useRunHistory<T>(selector: (state: RunHistoryState) => T): T {
  return useStore(runHistoryStore, selector);
}
