/**
 * UI state of the playground: the run configuration being edited, what the training worker has
 * reported, and the errors on screen.
 *
 * The store is a framework-free zustand store, so `applyEvent` can be tested without a worker or
 * a DOM. React components read it through `usePlayground` with narrow selectors.
 */
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { DEFAULT_RUN_CONFIG, type BackendName, type RunConfig, type RunConfigChoice } from '../game/config';
import { type PresetId, differencesFromPreset, findPreset, presetConfig } from '../game/presets';
import type { EvalRecord, MetricHistory, RunState, StepRecord, WorkerEvent } from '../worker/protocol';
import { type InspectorState, applyInspectorEvent, emptyInspectorState } from './inspectorState';
import { NUMERIC_RULES, type NumericField, parseNumericField } from '../game/settingRules';

export { NUMERIC_RULES, type NumericField, type NumericRule, type ParsedNumber, describeRule, parseNumericField } from '../game/settingRules';

/** Maximum number of points kept per chart series. Beyond it, older points are thinned out evenly. */
export const MAX_SERIES_POINTS = 1000;

/** Maximum number of errors kept on screen. The oldest ones are dropped first. */
export const MAX_SHOWN_ERRORS = 5;

/** Settings chosen from a fixed list. */
export type ChoiceField = RunConfigChoice;

/** The latest evaluation of a run started from a preset, for the results table. */
export interface PresetResult {
  record: EvalRecord;
  /** Settings of the run that differ from the preset's (backbone, steps, ...). */
  differences: (keyof RunConfig)[];
}

/** Loading status of the CIFAR-10 images. */
export type DataStatus =
  | { phase: 'idle' }
  | { phase: 'loading'; message: string; loadedBytes: number; totalBytes: number }
  | { phase: 'loaded'; trainImages: number; testImages: number; sourceLabel: string }
  | { phase: 'failed'; message: string };

/** A chart series thinned to at most `MAX_SERIES_POINTS` points. */
export interface Series<T> {
  points: T[];
  /** Spacing of the kept records: every `stride`-th one is kept. It doubles each time the series is thinned. */
  stride: number;
  /** Records received since the run started, kept or not. */
  received: number;
}

/** A fault the page recovered from by returning the run to its last good state. */
export interface RunFault {
  /** Step at which the fault happened (the step that diverged or failed). */
  step: number;
  /** Step of the last good state the run went back to. */
  checkpointStep: number;
  cause: 'diverged' | 'failed' | 'workerLost';
  message: string;
}

/** An error on screen until the user dismisses it. */
export interface ShownError {
  id: number;
  message: string;
  /** How many times this message arrived in a row. */
  repeats: number;
  /** Whether it arrived while data was loading. Such errors are removed once data has loaded. */
  aboutData: boolean;
}

/** State of the playground page, with the actions that change it. */
export interface PlaygroundState {
  /** Configuration of the next run, as valid numbers. */
  config: RunConfig;
  /** Text of each numeric setting as typed, valid or not. */
  configText: Record<NumericField, string>;
  /** Validation message of each numeric setting whose text is invalid. */
  configErrors: Partial<Record<NumericField, string>>;
  /** Configuration the current or last run was started with. */
  runConfig: RunConfig | null;
  runState: RunState;
  backend: BackendName | null;
  /** Reason the worker runs on another backend than the preferred one, or null when it does not. */
  backendFallbackReason: string | null;
  data: DataStatus;
  /** The images in use when the current load started; they stay in use if it fails. */
  dataBeforeLoad: Extract<DataStatus, { phase: 'loaded' }> | null;
  /** Most recent step record. Its `step` is the true step count, even when the series is thinned. */
  latestStep: StepRecord | null;
  steps: Series<StepRecord>;
  latestEval: EvalRecord | null;
  evals: Series<EvalRecord>;
  /** Every step record of the run, unthinned, for export. */
  stepLog: StepRecord[];
  /** Every evaluation record of the run, for export. */
  evalLog: EvalRecord[];
  errors: ShownError[];
  nextErrorId: number;
  /** Message inspector and vocabulary explorer: selections, the worker's responses and the pinned image. */
  inspector: InspectorState;
  /** Preset last applied to the settings; null after Restore defaults. */
  presetId: PresetId | null;
  /** Preset the current or last run was started from. */
  runPresetId: PresetId | null;
  /** Latest evaluation of this session's runs, per preset. */
  presetResults: Partial<Record<PresetId, PresetResult>>;
  /** Step of the current run's last good state kept by the page; null before the first. */
  checkpointStep: number | null;
  /** Faults of the current run the page recovered from, oldest first; charts mark their steps. */
  faults: RunFault[];

  /** Applies one event from the training worker. */
  applyEvent: (event: WorkerEvent) => void;
  /** Applies events from the training worker in order, notifying subscribers once. */
  applyEvents: (events: readonly WorkerEvent[]) => void;
  /** Stores the typed text of a numeric setting and, when valid, its value in `config`. */
  editNumericField: (field: NumericField, text: string) => void;
  /** Sets a setting chosen from a list. */
  setChoice: <K extends ChoiceField>(field: K, value: RunConfig[K]) => void;
  /** Restores the default configuration and clears validation messages. */
  resetConfig: () => void;
  /** Replaces the settings with a preset's, keeping the backend and cache choices. */
  applyPreset: (id: PresetId) => void;
  /** Replaces every setting, as opening an experiment link does. */
  loadConfig: (config: RunConfig) => void;
  /** Marks data as loading because the page has just sent a `loadData` request. */
  dataRequested: (message: string) => void;
  /** Clears the previous run's charts and marks a run as starting with `config`. */
  runRequested: (config: RunConfig) => void;
  /** Replaces the settings and the charts with those of a saved run that has been checked. */
  loadRun: (config: RunConfig, history: MetricHistory) => void;
  /**
   * Records a fault and returns the charts to the last good state at `fault.checkpointStep`,
   * whose run is restarting paused.
   */
  runRecovered: (fault: RunFault) => void;
  /** Records the learning rate a paused run continues with. */
  learningRateChanged: (learningRate: number) => void;
  /**
   * Shows an error raised on the page (worker crash, unreadable file, ...). During a data load
   * or a run start it also marks that load or start as failed.
   */
  reportError: (message: string) => void;
  /** Shows an error that concerns neither the data nor the run (storage, links, exports): no state changes. */
  reportNotice: (message: string) => void;
  dismissError: (id: number) => void;
}

/** Returns whether a run is in progress, so settings are locked and Train is disabled. */
export function isRunActive(runState: RunState): boolean {
  switch (runState) {
    case 'starting':
    case 'running':
    case 'paused':
      return true;
    case 'idle':
    case 'stopped':
      return false;
  }
}

/** Returns an empty chart series. */
export function emptySeries<T>(): Series<T> {
  return { points: [], stride: 1, received: 0 };
}

/**
 * Appends records to a series, keeping every `stride`-th one. When the series exceeds
 * `maxPoints`, every other point is dropped and the stride doubles, so the kept points stay
 * evenly spaced over the whole run.
 */
export function appendToSeries<T>(
  series: Series<T>,
  records: readonly T[],
  maxPoints: number = MAX_SERIES_POINTS,
): Series<T> {
  let points = series.points.slice();
  let stride = series.stride;
  let received = series.received;

  for (const record of records) {
    if (received % stride === 0) {
      points.push(record);
    }
    received += 1;

    if (points.length > maxPoints) {
      points = points.filter((_, index) => index % 2 === 0);
      stride *= 2;
    }
  }
  return { points, stride, received };
}

function configTextOf(config: RunConfig): Record<NumericField, string> {
  const fields = Object.keys(NUMERIC_RULES) as NumericField[];
  return Object.fromEntries(fields.map((field) => [field, String(config[field])])) as Record<
    NumericField,
    string
  >;
}

/**
 * Returns the error list with `message` added, or its repeat count raised if it is the latest.
 * An error about the data is removed once a later load succeeds.
 */
function withError(state: PlaygroundState, message: string, aboutData = state.data.phase === 'loading'): Partial<PlaygroundState> {
  const last = state.errors[state.errors.length - 1];
  if (last !== undefined && last.message === message) {
    const repeated: ShownError = { ...last, repeats: last.repeats + 1 };
    return { errors: [...state.errors.slice(0, -1), repeated] };
  }

  const added: ShownError = {
    id: state.nextErrorId,
    message,
    repeats: 1,
    aboutData,
  };
  return {
    errors: [...state.errors, added].slice(-MAX_SHOWN_ERRORS),
    nextErrorId: state.nextErrorId + 1,
  };
}

/**
 * Returns the state changes an error implies. An error while data is loading means the load
 * failed, and an error while a run is starting means the run never started. In any other state
 * the run state is left to the worker's next `state` event.
 */
function errorUpdate(state: PlaygroundState, message: string): Partial<PlaygroundState> {
  if (state.data.phase === 'loading' && state.dataBeforeLoad !== null) {
    // The worker keeps the images it had until a load succeeds, so the page keeps showing them.
    const update = withError(state, `${message} The images loaded before are still in use.`);
    return { ...update, data: state.dataBeforeLoad, dataBeforeLoad: null, ...(state.runState === 'starting' ? { runState: 'stopped' as const } : {}) };
  }
  const update = withError(state, message);
  if (state.data.phase === 'loading') {
    update.data = { phase: 'failed', message };
  }
  if (state.runState === 'starting') {
    update.runState = 'stopped';
  }
  return update;
}

function eventUpdate(state: PlaygroundState, event: WorkerEvent): Partial<PlaygroundState> {
  switch (event.type) {
    case 'backend':
      return { backend: event.backend, backendFallbackReason: event.fallbackReason };
    case 'dataProgress':
      return {
        data: {
          phase: 'loading',
          message: event.message,
          loadedBytes: event.loadedBytes,
          totalBytes: event.totalBytes,
        },
      };
    case 'dataLoaded':
      return {
        data: {
          phase: 'loaded',
          trainImages: event.trainImages,
          testImages: event.testImages,
          sourceLabel: event.sourceLabel,
        },
        dataBeforeLoad: null,
        errors: state.errors.filter((error) => !error.aboutData),
      };
    case 'state':
      return { runState: event.state };
    case 'steps': {
      const latest = event.records[event.records.length - 1];
      if (latest === undefined) {
        return {};
      }
      return { steps: appendToSeries(state.steps, event.records), latestStep: latest, stepLog: state.stepLog.concat(event.records) };
    }
    case 'eval':
      return {
        evals: appendToSeries(state.evals, [event.record]),
        latestEval: event.record,
        evalLog: state.evalLog.concat(event.record),
        ...presetResultUpdate(state, event.record),
      };
    case 'error':
      return errorUpdate(state, event.message);
    case 'inspection':
    case 'language':
    case 'images':
    case 'inspectionFailed':
      return { inspector: applyInspectorEvent(state.inspector, event) };
    case 'checkpoint':
      return { checkpointStep: event.step };
    case 'saved':
    case 'saveFailed':
    case 'runFailed':
    case 'deviceLost':
      // The training client handles these itself, because they call for a response or a recovery, not for state.
      return {};
  }
}

/** Records an evaluation of a run started from a preset under that preset. */
function presetResultUpdate(state: PlaygroundState, record: EvalRecord): Partial<PlaygroundState> {
  const preset = state.runPresetId === null ? undefined : findPreset(state.runPresetId);
  if (preset === undefined || state.runConfig === null) return {};
  const result: PresetResult = { record, differences: differencesFromPreset(preset, state.runConfig) };
  return { presetResults: { ...state.presetResults, [preset.id]: result } };
}

/** Returns the charts and logs with the records after `step` removed. */
function historyUpTo(state: PlaygroundState, step: number): Partial<PlaygroundState> {
  const stepLog = state.stepLog.filter((record) => record.step <= step);
  const evalLog = state.evalLog.filter((record) => record.step <= step);
  return {
    stepLog,
    evalLog,
    steps: appendToSeries(emptySeries<StepRecord>(), stepLog),
    evals: appendToSeries(emptySeries<EvalRecord>(), evalLog),
    latestStep: stepLog[stepLog.length - 1] ?? null,
    latestEval: evalLog[evalLog.length - 1] ?? null,
  };
}

/** Creates a playground store with the default configuration and nothing loaded. */
export function createPlaygroundStore(): StoreApi<PlaygroundState> {
  return createStore<PlaygroundState>()((set) => ({
    config: { ...DEFAULT_RUN_CONFIG },
    configText: configTextOf(DEFAULT_RUN_CONFIG),
    configErrors: {},
    runConfig: null,
    runState: 'idle',
    backend: null,
    backendFallbackReason: null,
    data: { phase: 'idle' },
    dataBeforeLoad: null,
    latestStep: null,
    steps: emptySeries<StepRecord>(),
    stepLog: [],
    evalLog: [],
    latestEval: null,
    evals: emptySeries<EvalRecord>(),
    errors: [],
    nextErrorId: 1,
    inspector: emptyInspectorState(),
    presetId: null,
    runPresetId: null,
    presetResults: {},
    checkpointStep: null,
    faults: [],

    applyEvent: (event) => set((state) => eventUpdate(state, event)),

    applyEvents: (events) =>
      set((state) => events.reduce((next, event) => ({ ...next, ...eventUpdate(next, event) }), state)),

    editNumericField: (field, text) =>
      set((state) => {
        const parsed = parseNumericField(field, text);
        const configText = { ...state.configText, [field]: text };
        const configErrors = { ...state.configErrors };
        if (!parsed.ok) {
          configErrors[field] = parsed.message;
          return { configText, configErrors };
        }
        delete configErrors[field];
        return { configText, configErrors, config: { ...state.config, [field]: parsed.value } };
      }),

    setChoice: (field, value) => set((state) => ({ config: { ...state.config, [field]: value } })),

    resetConfig: () =>
      set({
        config: { ...DEFAULT_RUN_CONFIG },
        configText: configTextOf(DEFAULT_RUN_CONFIG),
        configErrors: {},
        presetId: null,
      }),

    applyPreset: (id) =>
      set((state) => {
        const preset = findPreset(id);
        if (preset === undefined) return {};
        const { backend, featureCache, featureCacheMB } = state.config;
        const config = presetConfig(preset, { backend, featureCache, featureCacheMB });
        return { config, configText: configTextOf(config), configErrors: {}, presetId: id };
      }),

    loadConfig: (config) => set({ config: { ...config }, configText: configTextOf(config), configErrors: {}, presetId: null }),

    dataRequested: (message) =>
      set((state) => ({
        data: { phase: 'loading', message, loadedBytes: 0, totalBytes: 0 },
        dataBeforeLoad: state.data.phase === 'loaded' ? state.data : state.dataBeforeLoad,
      })),

    runRequested: (config) =>
      set((state) => ({
        runPresetId: state.presetId,
        runConfig: { ...config },
        runState: 'starting',
        latestStep: null,
        steps: emptySeries<StepRecord>(),
        stepLog: [],
        evalLog: [],
        latestEval: null,
        evals: emptySeries<EvalRecord>(),
        inspector: emptyInspectorState(),
        checkpointStep: null,
        faults: [],
      })),

    loadRun: (config, history) =>
      set({
        config: { ...config },
        configText: configTextOf(config),
        configErrors: {},
        presetId: null,
        runPresetId: null,
        runConfig: { ...config },
        latestStep: history.stepLog[history.stepLog.length - 1] ?? null,
        steps: appendToSeries(emptySeries<StepRecord>(), history.stepLog),
        stepLog: history.stepLog.slice(),
        latestEval: history.evalLog[history.evalLog.length - 1] ?? null,
        evals: appendToSeries(emptySeries<EvalRecord>(), history.evalLog),
        evalLog: history.evalLog.slice(),
        inspector: emptyInspectorState(),
        runState: 'starting',
        checkpointStep: null,
        faults: [],
      }),

    runRecovered: (fault) =>
      set((state) => ({
        ...withError(state, fault.message),
        ...historyUpTo(state, fault.checkpointStep),
        faults: [...state.faults, fault],
        runState: 'starting',
        inspector: emptyInspectorState(),
      })),

    learningRateChanged: (learningRate) =>
      set((state) => ({
        // The notices of the faults that led here have done their job.
        errors: state.errors.filter((error) => !state.faults.some((fault) => fault.message === error.message)),
        // The settings panel shows the rate in use, and a new run would start with it.
        config: { ...state.config, learningRate },
        configText: { ...state.configText, learningRate: String(learningRate) },
        ...(state.runConfig === null ? {} : { runConfig: { ...state.runConfig, learningRate } }),
      })),

    reportError: (message) => set((state) => errorUpdate(state, message)),

    reportNotice: (message) => set((state) => withError(state, message, false)),

    dismissError: (id) => set((state) => ({ errors: state.errors.filter((e) => e.id !== id) })),
  }));
}

/** The page's single store. */
export const playgroundStore = createPlaygroundStore();

/** Reads a slice of the page's store. The component re-renders only when the selected value changes. */
export function usePlayground<T>(selector: (state: PlaygroundState) => T): T {
  return useStore(playgroundStore, selector);
}
