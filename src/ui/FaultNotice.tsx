import { useState } from 'react';
import { parseNumericField, usePlayground } from './store';
import type { TrainingClient } from './trainingClient';

/** Factor by which the suggested learning rate is below the one that diverged. */
const SUGGESTED_REDUCTION = 10;

/**
 * Offers to resume a run that went back to its last good state after diverging, with a lower
 * learning rate: the same settings would repeat the same steps and diverge again.
 */
export function FaultNotice({ client }: { client: TrainingClient }) {
  const fault = usePlayground((state) => state.faults[state.faults.length - 1]);
  const paused = usePlayground((state) => state.runState === 'paused');
  const learningRate = usePlayground((state) => state.runConfig?.learningRate ?? state.config.learningRate);
  // Once the run has trained past its last good state, the notice has done its job.
  const step = usePlayground((state) => state.latestStep?.step ?? 0);
  if (fault === undefined || fault.cause !== 'diverged' || !paused || step !== fault.checkpointStep) return null;
  // Keyed by the fault, so each new divergence suggests a rate below the one that diverged.
  return <LearningRateResume key={`${fault.step}-${fault.checkpointStep}`} client={client} step={fault.checkpointStep} learningRate={learningRate} />;
}

function LearningRateResume({ client, step, learningRate }: { client: TrainingClient; step: number; learningRate: number }) {
  const [text, setText] = useState(String(Number((learningRate / SUGGESTED_REDUCTION).toPrecision(3))));
  const parsed = parseNumericField('learningRate', text);
  return (
    <form
      className="fault-notice"
      data-testid="fault-notice"
      onSubmit={(event) => {
        event.preventDefault();
        if (parsed.ok) client.resume(parsed.value);
      }}
    >
      <p>
        The run diverged and is paused at step {step}, its last good state. It was training with a learning rate of {learningRate}.
      </p>
      <label htmlFor="fault-learning-rate">Learning rate from here on</label>
      <input id="fault-learning-rate" data-testid="fault-learning-rate" type="text" inputMode="decimal" autoComplete="off" value={text} aria-invalid={!parsed.ok} aria-describedby={parsed.ok ? undefined : 'fault-learning-rate-error'} onChange={(event) => setText(event.target.value)} />
      <button type="submit" className="button-primary" data-testid="fault-resume" disabled={!parsed.ok}>
        Resume with this learning rate
      </button>
      {!parsed.ok && (
        <p id="fault-learning-rate-error" className="setting-error">
          {parsed.message}
        </p>
      )}
    </form>
  );
}
