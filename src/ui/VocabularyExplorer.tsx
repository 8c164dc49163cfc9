/**
 * The vocabulary explorer: measures of the language on the held-out games, refreshed by the worker
 * after evaluations and on pause, with what each class is called and what each message means.
 */
import { useEffect, useRef } from 'react';
import { CLASS_NAMES } from '../data/cifar10';
import type { LanguageReport } from '../worker/protocol';
import { drawHashingScale, drawTokenUsage, tokenUsageSize } from './canvasDrawing';
import { ClassHeatmap, FrequentMessages } from './ClassHeatmap';
import { HashingExplanation } from './Explanations';
import { FullscreenButton, useMaximisedClass } from './Fullscreen';
import { topTokensByPosition } from './explorerData';
import { refreshLanguage } from './inspectorActions';
import { sameTokens } from './inspectorState';
import { MessageChips } from './MessageChips';
import { languageKind, languageVerdict, tokenSymbol } from './messageText';
import { usePlayground } from './store';
import { Thumbnail } from './Thumbnail';
import type { TrainingClient } from './trainingClient';
import './inspector.css';

/** Element id of the panel that shows the images of the selected message. */
export const MESSAGE_MEANING_ID = 'message-meaning';

/** Most used tokens listed per position. */
const LISTED_TOKENS = 4;

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

function formatFigure(value: number, digits = 2): string {
  return Number.isNaN(value) ? 'undefined' : value.toFixed(digits);
}

function HashingScale({ value }: { value: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current !== null) drawHashingScale(canvas.current, value);
  }, [value]);
  return <canvas ref={canvas} width={320} height={48} className="hashing-scale" aria-hidden="true" />;
}

function Figure({ label, value, note, testId }: { label: string; value: string; note: string; testId?: string }) {
  return (
    <div className="figure">
      <span className="figure-label">{label}</span>
      <span className="figure-value" data-testid={testId}>
        {value}
      </span>
      <span className="figure-note">{note}</span>
    </div>
  );
}

function SummaryFigures({ report }: { report: LanguageReport }) {
  return (
    <div className="figures">
      <Figure label="Distinct messages" value={String(report.distinctMessages)} note={`for ${report.imageCount} images of ${report.classCount} classes`} testId="distinct-messages" />
      <div className="figure">
        <span className="figure-label">Hashing index</span>
        <span className="figure-value" data-testid="hashing-index" data-value={report.hashingIndex}>
          {formatFigure(report.hashingIndex)}
        </span>
        <HashingScale value={report.hashingIndex} />
        <span className="figure-note">ln(messages / classes) / ln(images / classes): 0 is one message per class, 1 one per image</span>
      </div>
      <Figure label="Message entropy" value={`${report.entropyBits.toFixed(2)} bits`} note={`log2(classes) = ${Math.log2(report.classCount).toFixed(2)}, log2(images) = ${Math.log2(report.imageCount).toFixed(2)}`} />
      <Figure
        label="Topographic similarity"
        value={formatFigure(report.topographicSimilarity)}
        note={`Spearman correlation of feature cosine distances and message edit distances, ${report.topographicPairs} image pairs`}
        testId="topographic-similarity"
      />
      <Figure label="Purity" value={Number.isNaN(report.purity) ? 'undefined' : percent(report.purity)} note="mean share of same-class images among the images that share a message" testId="purity" />
    </div>
  );
}

function TokenUsage({ report }: { report: LanguageReport }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const size = tokenUsageSize(report.maxLen, report.vocabSize);
  useEffect(() => {
    if (canvas.current !== null) drawTokenUsage(canvas.current, report.tokenUsage, report.imageCount);
  }, [report]);
  const top = topTokensByPosition(report.tokenUsage, report.imageCount, LISTED_TOKENS);
  return (
    <figure className="token-usage" data-testid="token-usage">
      <figcaption>
        <span className="chart-title">Token usage by position</span>
        <span className="chart-caption">
          One row per position, one column per token id from 0 (end of sequence, left) to {report.vocabSize - 1}; darker is used by
          more messages. Empty rows mean every message has ended.
        </span>
      </figcaption>
      <canvas ref={canvas} width={size.width} height={size.height} className="token-usage-map" aria-hidden="true" />
      <ol className="token-usage-list">
        {top.map((tokens, position) => (
          <li key={position}>
            <span className="token-usage-position">Position {position + 1}:</span>{' '}
            {tokens.length === 0 ? 'no tokens' : tokens.map((entry) => `${tokenSymbol(entry.token)} ${percent(entry.share)}`).join(', ')}
          </li>
        ))}
      </ol>
    </figure>
  );
}

function MessageMeaning({ report }: { report: LanguageReport }) {
  const selected = usePlayground((state) => state.inspector.selectedMessage);
  const images = usePlayground((state) => state.inspector.messageImages);
  const pending = usePlayground((state) => state.inspector.pendingImages !== null);
  if (selected === null) {
    return (
      <p className="panel-note" id={MESSAGE_MEANING_ID} data-testid="message-meaning">
        Click a message or a heatmap cell to see which images produce it.
      </p>
    );
  }
  const message = report.messages.find((entry) => sameTokens(entry.tokens, selected));
  const breakdown = (message?.classCounts ?? [])
    .map((count, label) => ({ label, count }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count);
  const labelOf = new Map(report.images.map((image, position) => [image, report.labels[position] ?? -1]));
  return (
    <div className="meaning" id={MESSAGE_MEANING_ID} data-testid="message-meaning" data-tokens={selected.join(' ')}>
      <h3>
        What does <MessageChips tokens={selected} showIds /> mean?
      </h3>
      <p data-testid="message-meaning-count">
        {message === undefined
          ? 'No held-out image produces this message at this step.'
          : `${message.count} held-out image${message.count === 1 ? '' : 's'}: ${breakdown.map((entry) => `${entry.count} ${CLASS_NAMES[entry.label]}`).join(', ')}.`}
        {pending && ' Loading the images…'}
      </p>
      {images !== null && (
        <ul className="meaning-images" data-testid="message-images">
          {images.indices.map((image, index) => (
            <li key={image}>
              <Thumbnail pixels={images.pixels} index={index} label={CLASS_NAMES[labelOf.get(image) ?? -1] ?? 'image'} />
              <span className="candidate-class">{CLASS_NAMES[labelOf.get(image) ?? -1] ?? ''}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ExplorerBody({ client, report }: { client: TrainingClient; report: LanguageReport }) {
  return (
    <>
      <p className={`verdict verdict-${languageKind(report)}`} data-testid="language-verdict">
        {languageVerdict(report)}
      </p>
      <SummaryFigures report={report} />
      <div className="explorer-grid">
        <ClassHeatmap client={client} report={report} />
        <FrequentMessages client={client} report={report} />
      </div>
      <MessageMeaning report={report} />
      <TokenUsage report={report} />
    </>
  );
}

/** Renders the vocabulary explorer of the current run's held-out games. */
export function VocabularyExplorer({ client }: { client: TrainingClient }) {
  const report = usePlayground((state) => state.inspector.language);
  const pending = usePlayground((state) => state.inspector.pendingLanguage !== null);
  const error = usePlayground((state) => state.inspector.languageError);
  const hasRun = usePlayground((state) => state.runState !== 'idle');
  const maximised = useMaximisedClass('explorer');
  return (
    <section className={`panel explorer${maximised}`} aria-labelledby="explorer-title" data-testid="explorer" data-panel="explorer">
      <div className="explorer-header">
        <h2 id="explorer-title">Vocabulary explorer</h2>
        <div className="button-row">
          <button type="button" className="button-secondary" data-testid="explorer-refresh" disabled={!hasRun || pending} onClick={() => refreshLanguage(client)}>
            {pending ? 'Measuring…' : 'Measure now'}
          </button>
          <FullscreenButton panel="explorer" title="vocabulary explorer" />
        </div>
      </div>
      <HashingExplanation />
      <p className="panel-note" data-testid="explorer-step" data-step={report?.step ?? ''}>
        {report === null
          ? 'The language is measured on the held-out games after evaluations (at most every few seconds) and when the run is paused.'
          : `Measured on ${report.imageCount} held-out images at step ${report.step}, with greedy messages (no Gumbel noise).`}
      </p>
      {error !== null && <p className="inspector-error">{error}</p>}
      {report !== null && <ExplorerBody client={client} report={report} />}
    </section>
  );
}
