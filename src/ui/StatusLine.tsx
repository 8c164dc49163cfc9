import type { RunState } from '../worker/protocol';
import { usePlayground } from './store';

/** Placeholder shown before a figure exists. */
export const NO_VALUE = '\u2013';

const RUN_STATE_LABELS: Record<RunState, string> = {
  idle: 'Idle',
  starting: 'Starting',
  running: 'Running',
  paused: 'Paused',
  stopped: 'Stopped',
};

/** Formats a loss with 4 significant digits, e.g. `0.6931`. */
export function formatLoss(loss: number): string {
  return loss.toPrecision(4);
}

/** Formats games per second with one decimal below 10 and none above. */
export function formatRate(gamesPerSecond: number): string {
  return gamesPerSecond < 10 ? gamesPerSecond.toFixed(1) : gamesPerSecond.toFixed(0);
}

function BackendItem() {
  const backend = usePlayground((state) => state.backend);
  const reason = usePlayground((state) => state.backendFallbackReason);
  return (
    <div className="status-item">
      <span className="status-label">Backend</span>
      <span className="status-value" data-testid="backend">
        {backend ?? NO_VALUE}
      </span>
      {reason !== null && (
        <span className="status-note" data-testid="backend-reason">
          {reason}
        </span>
      )}
    </div>
  );
}

function StepItems() {
  const latestStep = usePlayground((state) => state.latestStep);
  // A paused or stopped run plays no games: its last speed would read as a current one.
  const running = usePlayground((state) => state.runState === 'running');
  return (
    <>
      <div className="status-item">
        <span className="status-label">Step</span>
        <span className="status-value" data-testid="step">
          {String(latestStep?.step ?? 0)}
        </span>
      </div>
      <div className="status-item">
        <span className="status-label">Loss</span>
        <span className="status-value" data-testid="loss">
          {latestStep === null ? NO_VALUE : formatLoss(latestStep.loss)}
        </span>
      </div>
      <div className="status-item">
        <span className="status-label">Games/s</span>
        <span className="status-value" data-testid="games-per-second">
          {latestStep === null || !running ? NO_VALUE : formatRate(latestStep.gamesPerSecond)}
        </span>
      </div>
    </>
  );
}

/** Shows the worker's tensor memory and the step the page would return to after a fault. */
function SafetyItems() {
  const tensorBytes = usePlayground((state) => state.latestStep?.tensorBytes);
  const tensorCount = usePlayground((state) => state.latestStep?.tensorCount);
  const checkpointStep = usePlayground((state) => state.checkpointStep);
  return (
    <>
      <div className="status-item status-detail">
        <span className="status-label">Tensor memory</span>
        <span className="status-value" data-testid="tensor-memory" data-tensors={tensorCount}>
          {tensorBytes === undefined ? NO_VALUE : `${(tensorBytes / 2 ** 20).toFixed(1)} MB`}
        </span>
      </div>
      <div className="status-item status-detail">
        <span className="status-label">Last good state</span>
        <span className="status-value" data-testid="checkpoint-step">
          {checkpointStep === null ? NO_VALUE : String(checkpointStep)}
        </span>
      </div>
    </>
  );
}

function CommSuccessItem() {
  const latestEval = usePlayground((state) => state.latestEval);
  return (
    <div className="status-item">
      <span className="status-label">Communication success (held-out)</span>
      <span className="status-value" data-testid="comm-success" data-step={latestEval?.step}>
        {latestEval === null ? NO_VALUE : latestEval.commSuccess.toFixed(2)}
      </span>
    </div>
  );
}

function ImagesItem() {
  const data = usePlayground((state) => state.data);
  const loaded = data.phase === 'loaded';
  return (
    <div className="status-item">
      <span className="status-label">Images (train / test)</span>
      <span className="status-value">
        <span data-testid="train-images">{loaded ? String(data.trainImages) : NO_VALUE}</span>
        {' / '}
        <span data-testid="test-images">{loaded ? String(data.testImages) : NO_VALUE}</span>
      </span>
    </div>
  );
}

/** Renders one line of the run's key figures: state, backend, step, loss, success, speed, data, memory and last good state. */
export function StatusLine() {
  const runState = usePlayground((state) => state.runState);
  return (
    <section className="status-line" aria-label="Run status">
      <div className="status-item">
        <span className="status-label">Run</span>
        <span className={`status-value run-${runState}`} data-testid="run-state" data-state={runState}>
          {RUN_STATE_LABELS[runState]}
        </span>
      </div>
      <BackendItem />
      <StepItems />
      <CommSuccessItem />
      <ImagesItem />
      <SafetyItems />
    </section>
  );
}
