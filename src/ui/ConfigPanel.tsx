import {
  AUGMENTATION_LABELS,
  BACKBONE_LABELS,
  BACKEND_PREFERENCE_LABELS,
  CHANNEL_LABELS,
  EXTRACTOR_LABELS,
  FEATURE_CACHE_LABELS,
  ROTATION_TASK_LABELS,
  TEMPERATURE_MODE_LABELS,
  configProblems,
  type RunConfig,
} from '../game/config';
import { isRunActive, NUMERIC_RULES, playgroundStore, usePlayground, type ChoiceField, type NumericField, type PlaygroundState } from './store';
import { FaultNotice } from './FaultNotice';
import { SavedRuns } from './SavedRuns';
import { ShareLink } from './ShareLink';
import type { TrainingClient } from './trainingClient';

interface NumberSettingProps {
  field: NumericField;
  label: string;
  /** Help text: the quantity the setting controls and its unit. */
  help: string;
}

function NumberSetting({ field, label, help }: NumberSettingProps) {
  const text = usePlayground((state) => state.configText[field]);
  const error = usePlayground((state) => state.configErrors[field]);
  const editNumericField = usePlayground((state) => state.editNumericField);

  const id = `setting-${field}`;
  const describedBy = error === undefined ? `${id}-help` : `${id}-help ${id}-error`;
  return (
    <div className="setting">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={id}
        type="text"
        inputMode={NUMERIC_RULES[field].integer ? 'numeric' : 'decimal'}
        autoComplete="off"
        spellCheck={false}
        value={text}
        aria-invalid={error !== undefined}
        aria-describedby={describedBy}
        onChange={(event) => editNumericField(field, event.target.value)}
      />
      <p id={`${id}-help`} className="setting-help">
        {help}
      </p>
      {error !== undefined && (
        <p id={`${id}-error`} className="setting-error" data-testid={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

interface ChoiceSettingProps<V extends string> {
  id: string;
  label: string;
  help: string;
  value: V;
  labels: Record<V, string>;
  onChange: (value: V) => void;
}

function ChoiceSetting<V extends string>({ id, label, help, value, labels, onChange }: ChoiceSettingProps<V>) {
  const options = Object.keys(labels) as V[];
  return (
    <div className="setting">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        data-testid={id}
        value={value}
        aria-describedby={`${id}-help`}
        onChange={(event) => {
          // The options are exactly the keys of `labels`, so the selected value is one of them.
          const selected = options.find((option) => option === event.target.value);
          if (selected !== undefined) {
            onChange(selected);
          }
        }}
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {labels[option]}
          </option>
        ))}
      </select>
      <p id={`${id}-help`} className="setting-help">
        {help}
      </p>
    </div>
  );
}

interface StoreChoiceProps<K extends ChoiceField> {
  field: K;
  label: string;
  help: string;
  labels: Record<RunConfig[K], string>;
}

/** Renders a setting chosen from a list, read from and written to the store's configuration. */
function StoreChoice<K extends ChoiceField>({ field, label, help, labels }: StoreChoiceProps<K>) {
  const value = usePlayground((state) => state.config[field]);
  const setChoice = usePlayground((state) => state.setChoice);
  return (
    <ChoiceSetting id={`setting-${field}`} label={label} help={help} value={value} labels={labels} onChange={(next) => setChoice(field, next)} />
  );
}

function ExperimentSettings() {
  const augmentation = usePlayground((state) => state.config.augmentation);
  return (
    <>
      <StoreChoice field="extractor" label="Feature extractor" help="How the weights of the image encoder shared by sender and receiver are obtained." labels={EXTRACTOR_LABELS} />
      <StoreChoice field="backbone" label="Backbone" help="Convolutional network of the feature extractor. Without a GPU, VGG16 trains about 35 games per second on wasm and the narrow one about 150 (measured on 2 CPU cores)." labels={BACKBONE_LABELS} />
      <StoreChoice field="augmentation" label="Sender images" help="What is done to the sender's image; the receiver always sees clean candidates." labels={AUGMENTATION_LABELS} />
      {augmentation === 'noise' && (
        <NumberSetting field="noiseStd" label="Noise standard deviation" help="Of the Gaussian noise added to each pixel, on the 0-1 pixel scale (0.1 = 25.5 grey levels)." />
      )}
      <StoreChoice field="rotationTask" label="Rotation task" help="Which agent also predicts the rotation of the sender's image; needs rotated sender images." labels={ROTATION_TASK_LABELS} />
    </>
  );
}

function ChannelSettings() {
  const channel = usePlayground((state) => state.config.channel);
  const temperatureMode = usePlayground((state) => state.config.temperatureMode);
  return (
    <>
      <StoreChoice field="channel" label="Channel" help="How the sender's tokens pass to the receiver and how the sender learns from them." labels={CHANNEL_LABELS} />
      {channel === 'reinforce' && (
        <NumberSetting field="entropyWeight" label="Entropy bonus" help="Weight of the entropy of the sender's token distributions, which keeps it exploring." />
      )}
      {channel !== 'reinforce' && (
        <StoreChoice field="temperatureMode" label="Temperature schedule" help="Fixed, decayed at every step, or set by the sender from its state." labels={TEMPERATURE_MODE_LABELS} />
      )}
      <NumberSetting
        field="temperature"
        label="Temperature"
        help="Gumbel-softmax temperature (the start of an annealed or learned one). Lower values make the sender's tokens closer to one-hot."
      />
      {temperatureMode !== 'fixed' && (
        <NumberSetting field="minTemperature" label="Minimum temperature" help="Floor of the annealed temperature; tau0 of the learned one, tau = tau0 + softplus(w · h)." />
      )}
      {temperatureMode === 'annealed' && (
        <NumberSetting field="annealRate" label="Annealing rate" help="Per step: tau = max(minimum, temperature × exp(−rate × step))." />
      )}
    </>
  );
}

function MainSettings() {
  return (
    <>
      <ExperimentSettings />
      <NumberSetting field="learningRate" label="Learning rate" help="Step size of the optimiser." />
      <ChannelSettings />
      <NumberSetting field="maxSteps" label="Training steps" help="Steps after which the run stops with a last evaluation; 0 trains until you press Stop." />
      <NumberSetting
        field="evalInterval"
        label="Steps between evaluations"
        help="Training steps between two evaluations on held-out test games."
      />
      <NumberSetting
        field="seed"
        label="Seed"
        help="Seeds initialisation, batch order, Gumbel noise and augmentation, so a run can be repeated."
      />
    </>
  );
}

function AdvancedSettings() {
  return (
    <details className="advanced">
      <summary>Advanced</summary>
      <NumberSetting
        field="batchSize"
        label="Batch size"
        help="Images per batch. Each game has 1 target and batch size − 1 distractors."
      />
      <StoreChoice
        field="backend"
        label="Backend"
        help="TensorFlow.js backend to try first. The worker falls back to another one when it is unavailable."
        labels={BACKEND_PREFERENCE_LABELS}
      />
      <StoreChoice
        field="featureCache"
        label="Feature cache"
        help="A frozen extractor's features are computed once per image and rotation and kept in memory."
        labels={FEATURE_CACHE_LABELS}
      />
      <NumberSetting field="featureCacheMB" label="Feature cache budget (MB)" help="Memory for cached features; images beyond it are recomputed when drawn." />
      <NumberSetting
        field="vocabSize"
        label="Vocabulary size"
        help="Distinct tokens, the end-of-sequence token included."
      />
      <NumberSetting field="maxLen" label="Max message length" help="Maximum number of tokens in a message." />
      <NumberSetting field="hiddenSize" label="Hidden size" help="Units in the sender's and receiver's LSTM." />
      <NumberSetting field="embeddingSize" label="Embedding size" help="Width of the token embeddings." />
      <NumberSetting
        field="evalGames"
        label="Evaluation games"
        help="Held-out test images used as targets in each evaluation."
      />
    </details>
  );
}

/** Lists the combinations of settings that cannot run, each with what to change. */
function ConfigProblems() {
  const config = usePlayground((state) => state.config);
  const problems = configProblems(config);
  if (problems.length === 0) return null;
  return (
    <ul className="setting-error" data-testid="config-problems">
      {problems.map((problem) => (
        <li key={problem}>{problem}</li>
      ))}
    </ul>
  );
}

/** Renders the settings of the next run, locked while a run is active. */
export function ConfigPanel() {
  const locked = usePlayground((state) => isRunActive(state.runState));
  const resetConfig = usePlayground((state) => state.resetConfig);
  return (
    <section className="panel" aria-labelledby="config-heading">
      <h2 id="config-heading">Settings</h2>
      {locked && (
        <p className="panel-note" data-testid="settings-locked">
          Settings are locked while a run is active. Stop the run to change them.
        </p>
      )}
      <fieldset className="settings" disabled={locked}>
        <legend className="sr-only">Run settings</legend>
        <MainSettings />
        <ConfigProblems />
        <AdvancedSettings />
        <button type="button" className="button-secondary" onClick={resetConfig}>
          Restore defaults
        </button>
      </fieldset>
    </section>
  );
}

/** Returns why Train is disabled, or null when a run can start. */
function trainBlocker(dataLoaded: boolean, invalidCount: number, active: boolean, problemCount = 0): string | null {
  if (active) {
    return null;
  }
  if (!dataLoaded) {
    return 'Train is available once the CIFAR-10 images are loaded.';
  }
  if (invalidCount > 0) {
    return `Fix the ${invalidCount === 1 ? 'invalid setting' : `${invalidCount} invalid settings`} to train.`;
  }
  if (problemCount > 0) {
    return 'Change the settings listed under Settings: they cannot run together.';
  }
  return null;
}

/** Returns why Train is disabled in `state`, or null when a run can start or is active. */
export function trainBlockerOf(state: PlaygroundState): string | null {
  return trainBlocker(state.data.phase === 'loaded', Object.keys(state.configErrors).length, isRunActive(state.runState), configProblems(state.config).length);
}

/**
 * Renders the Train, Pause/Resume, Step and Stop buttons. With `compact`, as in lecture mode, the
 * experiment link and saved runs are left out.
 */
export function RunControls({ client, compact = false }: { client: TrainingClient; compact?: boolean }) {
  const runState = usePlayground((state) => state.runState);
  const dataLoaded = usePlayground((state) => state.data.phase === 'loaded');
  const invalidCount = usePlayground((state) => Object.keys(state.configErrors).length);
  const problemCount = usePlayground((state) => configProblems(state.config).length);
  const active = isRunActive(runState);

  const blocker = trainBlocker(dataLoaded, invalidCount, active, problemCount);
  const canPause = runState === 'running' || runState === 'paused';
  const togglePause = () => (runState === 'paused' ? client.resume() : client.pause());
  return (
    <section className="run-controls" aria-label="Run controls">
      <div className="button-row">
        <button
          type="button"
          className="button-primary"
          data-testid="train-button"
          disabled={active || blocker !== null}
          onClick={() => client.start(playgroundStore.getState().config)}
        >
          Train
        </button>
        <button type="button" data-testid="pause-button" disabled={!canPause} onClick={togglePause}>
          {runState === 'paused' ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          data-testid="step-button"
          disabled={runState !== 'paused'}
          title="Train one batch, then stay paused (shortcut s)"
          onClick={client.step}
        >
          Step
        </button>
        <button type="button" data-testid="stop-button" disabled={!active} onClick={client.stop}>
          Stop
        </button>
      </div>
      {blocker !== null && (
        <p className="panel-note" data-testid="train-hint">
          {blocker}
        </p>
      )}
      <FaultNotice client={client} />
      {!compact && <ShareLink />}
      {!compact && <SavedRuns client={client} />}
    </section>
  );
}
