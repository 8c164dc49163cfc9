import {
  BACKBONE_LABELS,
  EXTRACTOR_LABELS,
  type Backbone,
  type BackendPreference,
  type ExtractorMode,
} from '../game/config';
import { isRunActive, NUMERIC_RULES, playgroundStore, usePlayground, type NumericField } from './store';
import type { TrainingClient } from './trainingClient';

const BACKEND_PREFERENCE_LABELS: Record<BackendPreference, string> = {
  auto: 'Auto (WebGPU, then wasm, then CPU)',
  webgpu: 'WebGPU',
  wasm: 'WebAssembly (wasm)',
  cpu: 'Plain JavaScript (cpu)',
};

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

function MainSettings() {
  const extractor = usePlayground((state) => state.config.extractor);
  const backbone = usePlayground((state) => state.config.backbone);
  const setChoice = usePlayground((state) => state.setChoice);
  return (
    <>
      <ChoiceSetting<ExtractorMode>
        id="setting-extractor"
        label="Feature extractor"
        help="How the weights of the image encoder shared by sender and receiver are obtained."
        value={extractor}
        labels={EXTRACTOR_LABELS}
        onChange={(value) => setChoice('extractor', value)}
      />
      <ChoiceSetting<Backbone>
        id="setting-backbone"
        label="Backbone"
        help="Convolutional network of the feature extractor."
        value={backbone}
        labels={BACKBONE_LABELS}
        onChange={(value) => setChoice('backbone', value)}
      />
      <NumberSetting field="learningRate" label="Learning rate" help="Step size of the optimiser." />
      <NumberSetting
        field="temperature"
        label="Temperature"
        help="Gumbel-softmax temperature. Lower values make the sender's tokens closer to one-hot."
      />
      <NumberSetting
        field="evalInterval"
        label="Steps between evaluations"
        help="Training steps between two evaluations on held-out test games."
      />
      <NumberSetting
        field="seed"
        label="Seed"
        help="Seeds initialisation, batch order and Gumbel noise, so a run can be repeated."
      />
    </>
  );
}

function AdvancedSettings() {
  const backend = usePlayground((state) => state.config.backend);
  const setChoice = usePlayground((state) => state.setChoice);
  return (
    <details className="advanced">
      <summary>Advanced</summary>
      <NumberSetting
        field="batchSize"
        label="Batch size"
        help="Images per batch. Each game has 1 target and batch size − 1 distractors."
      />
      <ChoiceSetting<BackendPreference>
        id="setting-backend"
        label="Backend"
        help="TensorFlow.js backend to try first. The worker falls back to another one when it is unavailable."
        value={backend}
        labels={BACKEND_PREFERENCE_LABELS}
        onChange={(value) => setChoice('backend', value)}
      />
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
        <AdvancedSettings />
        <button type="button" className="button-secondary" onClick={resetConfig}>
          Restore defaults
        </button>
      </fieldset>
    </section>
  );
}

/** Returns why Train is disabled, or null when a run can start. */
function trainBlocker(dataLoaded: boolean, invalidCount: number, active: boolean): string | null {
  if (active) {
    return null;
  }
  if (!dataLoaded) {
    return 'Train is available once the CIFAR-10 images are loaded.';
  }
  if (invalidCount > 0) {
    return `Fix the ${invalidCount === 1 ? 'invalid setting' : `${invalidCount} invalid settings`} to train.`;
  }
  return null;
}

/** Renders the Train, Pause/Resume and Stop buttons. */
export function RunControls({ client }: { client: TrainingClient }) {
  const runState = usePlayground((state) => state.runState);
  const dataLoaded = usePlayground((state) => state.data.phase === 'loaded');
  const invalidCount = usePlayground((state) => Object.keys(state.configErrors).length);
  const active = isRunActive(runState);

  const blocker = trainBlocker(dataLoaded, invalidCount, active);
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
        <button type="button" data-testid="stop-button" disabled={!active} onClick={client.stop}>
          Stop
        </button>
      </div>
      {blocker !== null && (
        <p className="panel-note" data-testid="train-hint">
          {blocker}
        </p>
      )}
    </section>
  );
}
