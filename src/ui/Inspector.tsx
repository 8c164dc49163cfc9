/**
 * The message inspector: one game at a time, the target image and the sender's message beside
 * the receiver's ranking of every candidate, for the latest training batch or the held-out games.
 */
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { CLASS_NAMES } from '../data/cifar10';
import type { Augmentation } from '../game/config';
import type { GameInspection, InspectedGame, InspectedSet, RankedCandidate } from '../worker/protocol';
import { inspectGame, pinImage, setClassFilter, setFollow, showMessage, unpinImage } from './inspectorActions';
import { filteredGames, stepGame } from './inspectorState';
import { MessageChips } from './MessageChips';
import { messageText } from './messageText';
import { PinnedHistory } from './PinnedHistory';
import { isRunActive, playgroundStore, usePlayground } from './store';
import { Thumbnail } from './Thumbnail';
import { FullscreenButton, useMaximisedClass } from './Fullscreen';
import { MESSAGE_MEANING_ID } from './VocabularyExplorer';
import type { TrainingClient } from './trainingClient';
import './inspector.css';

/** Minimum time between two replays that follow training, in milliseconds. */
const FOLLOW_INTERVAL_MS = 3000;

/**
 * A replay that took the worker d milliseconds waits at least this many times d before the next
 * one, so following training takes at most about 1/10 of the worker's time on slow models.
 */
const FOLLOW_COST_FACTOR = 10;

const SET_LABELS: Record<InspectedSet, string> = {
  heldOut: 'Held-out test games',
  trainBatch: 'Latest training batch',
};

/** Game offsets of the navigation keys: arrows move by one, Page Up and Down by ten, Home and End to the ends. */
const KEY_OFFSETS: Record<string, number> = {
  ArrowRight: 1,
  ArrowDown: 1,
  ArrowLeft: -1,
  ArrowUp: -1,
  PageDown: 10,
  PageUp: -10,
  Home: -Infinity,
  End: Infinity,
};

function className(label: number): string {
  return CLASS_NAMES[label] ?? `class ${label}`;
}

/** Replays the shown game after each new evaluation while a run trains or is paused, rate-limited while it trains. */
function useFollowTraining(client: TrainingClient): void {
  const evalStep = usePlayground((state) => state.latestEval?.step ?? null);
  const runState = usePlayground((state) => state.runState);
  const follow = usePlayground((state) => state.inspector.follow);
  const pending = usePlayground((state) => state.inspector.pendingInspection !== null);
  const hasInspection = usePlayground((state) => state.inspector.inspection !== null);
  const followedStep = useRef<number | null>(null);
  const lastRequestAt = useRef(-Infinity);
  const replayMs = usePlayground((state) => state.inspector.inspection?.elapsedMs ?? 0);

  useEffect(() => {
    if (!isRunActive(runState) || evalStep === null || pending) return undefined;
    if (hasInspection && (!follow || followedStep.current === evalStep)) return undefined;
    const replay = () => {
      followedStep.current = evalStep;
      lastRequestAt.current = performance.now();
      const { set, game } = playgroundStore.getState().inspector;
      inspectGame(client, set, game);
    };
    const intervalMs = Math.max(FOLLOW_INTERVAL_MS, FOLLOW_COST_FACTOR * replayMs);
    const waitMs = lastRequestAt.current + intervalMs - performance.now();
    if (waitMs <= 0 || runState === 'paused' || !hasInspection) {
      replay();
      return undefined;
    }
    const timer = setTimeout(replay, waitMs);
    return () => clearTimeout(timer);
  }, [client, evalStep, runState, follow, pending, hasInspection, replayMs]);
}

function SetChoice({ client }: { client: TrainingClient }) {
  const set = usePlayground((state) => state.inspector.set);
  return (
    <div className="segmented" role="group" aria-label="Games to inspect">
      {(Object.keys(SET_LABELS) as InspectedSet[]).map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={option === set}
          data-testid={`inspector-set-${option}`}
          onClick={() => inspectGame(client, option, 0)}
        >
          {SET_LABELS[option]}
        </button>
      ))}
    </div>
  );
}

function ClassFilter({ client }: { client: TrainingClient }) {
  const classFilter = usePlayground((state) => state.inspector.classFilter);
  const onChange = (value: string) => {
    const filter = value === '' ? null : Number(value);
    setClassFilter(filter);
    const { inspection } = playgroundStore.getState().inspector;
    if (inspection === null || filter === null) return;
    const first = filteredGames(inspection.games, filter)[0];
    if (first !== undefined && inspection.games[inspection.game]?.label !== filter) inspectGame(client, inspection.set, first);
  };
  return (
    <label className="inline-setting">
      Target class
      <select data-testid="inspector-class-filter" value={classFilter ?? ''} onChange={(event) => onChange(event.target.value)}>
        <option value="">every class</option>
        {CLASS_NAMES.map((name, label) => (
          <option key={name} value={label}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Moves `offset` games through the filtered games of the latest inspection. */
export function navigate(client: TrainingClient, offset: number): void {
  const { inspection, classFilter, game } = playgroundStore.getState().inspector;
  if (inspection === null) return;
  const next = stepGame(filteredGames(inspection.games, classFilter), game, offset);
  if (next !== null && next !== game) inspectGame(client, inspection.set, next);
}

function GameStepper({ client }: { client: TrainingClient }) {
  const inspection = usePlayground((state) => state.inspector.inspection);
  const classFilter = usePlayground((state) => state.inspector.classFilter);
  const game = usePlayground((state) => state.inspector.game);
  const games = inspection === null ? [] : filteredGames(inspection.games, classFilter);
  const position = games.indexOf(game);
  return (
    <div className="stepper">
      <button type="button" data-testid="inspector-previous" disabled={inspection === null} onClick={() => navigate(client, -1)}>
        ◀ Previous
      </button>
      <span className="stepper-position" data-testid="inspector-position">
        {inspection === null ? 'no game yet' : `game ${position < 0 ? '–' : position + 1} of ${games.length}`}
      </span>
      <button type="button" data-testid="inspector-next" disabled={inspection === null} onClick={() => navigate(client, 1)}>
        Next ▶
      </button>
    </div>
  );
}

function FollowToggle() {
  const follow = usePlayground((state) => state.inspector.follow);
  return (
    <label className="inline-setting">
      <input type="checkbox" checked={follow} data-testid="inspector-follow" onChange={(event) => setFollow(event.target.checked)} />
      Follow training
    </label>
  );
}

function InspectorControls({ client }: { client: TrainingClient }) {
  return (
    <div className="inspector-controls">
      <SetChoice client={client} />
      <ClassFilter client={client} />
      <GameStepper client={client} />
      <FollowToggle />
    </div>
  );
}

function GameList({ client, inspection }: { client: TrainingClient; inspection: GameInspection }) {
  const classFilter = usePlayground((state) => state.inspector.classFilter);
  const games = filteredGames(inspection.games, classFilter);
  const successes = games.filter((game) => inspection.games[game]?.targetRank === 1).length;
  return (
    <div className="game-list">
      <p className="game-list-summary" data-testid="inspector-set-success" data-step={inspection.step} data-successes={successes} data-games={games.length}>
        Target ranked first in {successes} of {games.length} games
      </p>
      <ol className="game-list-items" aria-label="Games">
        {games.map((index) => {
          const entry = inspection.games[index];
          if (entry === undefined) return null;
          return (
            <li key={index}>
              <button
                type="button"
                aria-current={index === inspection.game ? 'true' : undefined}
                data-rank={entry.targetRank}
                onClick={() => inspectGame(client, inspection.set, index)}
              >
                <span className="game-list-class">{className(entry.label)}</span>
                <span className="game-list-message">{messageText(entry.tokens)}</span>
                <span className={entry.targetRank === 1 ? 'game-list-rank rank-first' : 'game-list-rank'}>#{entry.targetRank}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** Returns a note on what the sender saw when it differs from the thumbnail; null for clean images. */
function augmentationNote(augmentation: Augmentation, set: InspectedSet): string | null {
  const seen = augmentation === 'noise' ? 'with Gaussian noise' : 'rotated';
  switch (augmentation) {
    case 'none':
      return null;
    case 'noise':
    case 'rotation':
      return set === 'heldOut'
        ? `In these games the sender sees the target ${seen}, as in evaluation; the thumbnails show the clean images.`
        : `These games are replayed with clean images for the sender, although training shows it the target ${seen}.`;
  }
}

/** Shows a message in the vocabulary explorer and scrolls to its images. */
function lookUpMessage(client: TrainingClient, tokens: number[]): void {
  showMessage(client, tokens);
  document.getElementById(MESSAGE_MEANING_ID)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function TargetActions({ client, inspection, target }: { client: TrainingClient; inspection: GameInspection; target: InspectedGame }) {
  const pinned = usePlayground((state) => state.inspector.pinned);
  const isPinned = pinned?.image === target.image && inspection.split === 'test';
  return (
    <div className="button-row">
      <button type="button" className="button-secondary" data-testid="inspector-lookup" onClick={() => lookUpMessage(client, target.tokens)}>
        Which images get this message?
      </button>
      {inspection.split === 'test' && (
        <button
          type="button"
          className="button-secondary"
          aria-pressed={isPinned}
          data-testid="inspector-pin"
          onClick={() => (isPinned ? unpinImage() : pinImage(target.image, target.label, inspection.step, target.tokens, target.targetRank))}
        >
          {isPinned ? 'Unpin' : 'Pin this image'}
        </button>
      )}
    </div>
  );
}

function TargetCard({ client, inspection }: { client: TrainingClient; inspection: GameInspection }) {
  const augmentation = usePlayground((state) => (state.runConfig ?? state.config).augmentation);
  const note = augmentationNote(augmentation, inspection.set);
  const position = inspection.ranking.findIndex((candidate) => candidate.game === inspection.game);
  const target = inspection.games[inspection.game];
  if (target === undefined || position < 0) return null;
  return (
    <div className="target-card" data-testid="inspector-target">
      <Thumbnail pixels={inspection.pixels} index={position} label={`target: ${className(target.label)}`} className="thumbnail-large" testId="inspector-target-image" />
      <p className="target-class">{className(target.label)}</p>
      <p className="target-rank">
        Receiver ranked it{' '}
        <strong data-testid="inspector-target-rank" data-rank={target.targetRank}>
          {target.targetRank}
        </strong>{' '}
        of {inspection.ranking.length}
      </p>
      <p className="target-message-label">The sender said</p>
      <MessageChips tokens={target.tokens} showIds testId="inspector-message" />
      <p className="panel-note">
        {inspection.split === 'test' ? 'Test' : 'Training'} image {target.image}, step {inspection.step}.
      </p>
      {note !== null && <p className="panel-note">{note}</p>}
      <TargetActions client={client} inspection={inspection} target={target} />
    </div>
  );
}

function candidateClass(candidate: RankedCandidate, inspection: GameInspection, targetLabel: number): string {
  if (candidate.game === inspection.game) return 'candidate is-target';
  return candidate.label === targetLabel ? 'candidate is-class' : 'candidate';
}

function RankingGrid({ client, inspection }: { client: TrainingClient; inspection: GameInspection }) {
  const targetLabel = inspection.games[inspection.game]?.label ?? -1;
  const classMates = inspection.ranking.filter((candidate) => candidate.label === targetLabel).length - 1;
  return (
    <div className="ranking">
      <p className="ranking-legend">
        The receiver's ranking of all {inspection.ranking.length} candidates, best first, with scores.{' '}
        <span className="legend-target">Target</span> <span className="legend-class">Same class as the target ({classMates})</span>
      </p>
      <ol className="ranking-grid" data-testid="inspector-ranking">
        {inspection.ranking.map((candidate, position) => (
          <li key={candidate.game} className={candidateClass(candidate, inspection, targetLabel)} data-rank={position + 1}>
            <button type="button" title={`Inspect the game whose target this is (${className(candidate.label)})`} onClick={() => inspectGame(client, inspection.set, candidate.game)}>
              <Thumbnail pixels={inspection.pixels} index={position} label={`${className(candidate.label)}, rank ${position + 1}`} />
              <span className="candidate-rank">
                #{position + 1} <span className="candidate-score">{candidate.score.toFixed(2)}</span>
              </span>
              <span className="candidate-class">{className(candidate.label)}</span>
              {candidate.game === inspection.game && <span className="candidate-marker">target</span>}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}

function InspectorBody({ client }: { client: TrainingClient }) {
  const inspection = usePlayground((state) => state.inspector.inspection);
  const pending = usePlayground((state) => state.inspector.pendingInspection !== null);
  const error = usePlayground((state) => state.inspector.inspectionError);
  const runState = usePlayground((state) => state.runState);
  const status = error ?? (pending ? 'Replaying the games…' : null);
  if (inspection === null) {
    const idle = isRunActive(runState) ? 'Waiting for the first evaluation.' : 'Train a run, then inspect its games while it trains or is paused.';
    return <p className="inspector-empty" data-testid="inspector-status">{status ?? idle}</p>;
  }
  return (
    <>
      {status !== null && <p className={error === null ? 'panel-note' : 'inspector-error'} data-testid="inspector-status">{status}</p>}
      <div className="inspector-layout">
        <div className="inspector-side">
          <TargetCard client={client} inspection={inspection} />
          <PinnedHistory />
          <GameList client={client} inspection={inspection} />
        </div>
        <RankingGrid client={client} inspection={inspection} />
      </div>
    </>
  );
}

/** Renders the message inspector. Arrow keys, Page Up and Down, Home and End move through the listed games. */
export function Inspector({ client }: { client: TrainingClient }) {
  useFollowTraining(client);
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.target instanceof HTMLSelectElement || event.target instanceof HTMLInputElement) return;
    const offset = KEY_OFFSETS[event.key];
    if (offset === undefined) return;
    event.preventDefault();
    navigate(client, offset);
  };
  const maximised = useMaximisedClass('inspector');
  return (
    <section
      className={`panel inspector${maximised}`}
      aria-labelledby="inspector-title"
      data-testid="inspector"
      data-panel="inspector"
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="panel-header">
        <h2 id="inspector-title">Message inspector</h2>
        <FullscreenButton panel="inspector" title="message inspector" />
      </div>
      <p className="panel-note">
        What the sender said about a target image, and how the receiver ranked every candidate. Games are replayed without
        Gumbel noise with the current parameters, as evaluation plays them. Use the arrow keys to step through the listed games.
      </p>
      <InspectorControls client={client} />
      <InspectorBody client={client} />
    </section>
  );
}
