import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG } from '../game/config';
import { MAX_KEPT_RUNS, createRunHistoryStore, recordFinishedRuns, runLabel } from './runHistory';
import { createPlaygroundStore } from './store';

function playOneRun(playground: ReturnType<typeof createPlaygroundStore>, seed: number): void {
  const state = playground.getState();
  state.runRequested({ ...DEFAULT_RUN_CONFIG, seed });
  state.applyEvent({ type: 'state', state: 'running' });
  state.applyEvent({ type: 'steps', records: [{ step: 1, loss: 3, trainSuccess: 0.1, gamesPerSecond: 10, elapsedMs: 5 }] });
  state.applyEvent({ type: 'state', state: 'stopped' });
}

describe('recordFinishedRuns', () => {
  it('archives each run when it stops', () => {
    const playground = createPlaygroundStore();
    const history = createRunHistoryStore();
    recordFinishedRuns(playground, history);
    playOneRun(playground, 4);
    playOneRun(playground, 5);
    const runs = history.getState().runs;
    expect(runs.map((run) => run.label)).toEqual(['seed=4', 'seed=5']);
    expect(runs[0]?.steps).toHaveLength(1);
  });

  it('skips a run that recorded no step', () => {
    const playground = createPlaygroundStore();
    const history = createRunHistoryStore();
    recordFinishedRuns(playground, history);
    playground.getState().runRequested(DEFAULT_RUN_CONFIG);
    playground.getState().applyEvent({ type: 'state', state: 'stopped' });
    expect(history.getState().runs).toHaveLength(0);
  });

  it('keeps the newest runs and their selection', () => {
    const playground = createPlaygroundStore();
    const history = createRunHistoryStore();
    recordFinishedRuns(playground, history);
    playOneRun(playground, 1);
    history.getState().toggle(1);
    for (let seed = 2; seed <= MAX_KEPT_RUNS + 1; seed++) playOneRun(playground, seed);
    expect(history.getState().runs).toHaveLength(MAX_KEPT_RUNS);
    expect(history.getState().selected).toEqual([]);
  });
});

describe('runLabel', () => {
  it('names the changed settings and the seed', () => {
    expect(runLabel({ ...DEFAULT_RUN_CONFIG, backbone: 'narrow', seed: 3 })).toBe('backbone=narrow seed=3');
  });
});
