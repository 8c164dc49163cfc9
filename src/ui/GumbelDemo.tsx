/**
 * An interactive straight-through Gumbel-softmax sample of a few tokens: editable logits, noise
 * from a seeded generator, a temperature slider, and every intermediate figure.
 */
import { useMemo, useState } from 'react';
import { drawGumbelNoise, gumbelDemoSample } from '../game/gumbelDemo';
import { Rng } from '../game/random';
import { FullscreenButton, useMaximisedClass } from './Fullscreen';

const DEMO_TOKENS = 5;
const START_LOGITS = [1.0, 2.0, 0.5, -1.0, 1.5];
const START_SEED = 1;
const MIN_TEMPERATURE = 0.05;
const MAX_TEMPERATURE = 5;

function formatNumber(value: number): string {
  return value.toFixed(3);
}

interface LogitInputProps {
  token: number;
  text: string;
  onChange: (text: string) => void;
}

/** Largest logit magnitude the demonstration accepts; beyond it logit + noise could overflow. */
const MAX_LOGIT = 1e6;

/** Returns whether `text` is a logit the demonstration uses, a number of magnitude at most `MAX_LOGIT`. */
function isValidLogit(text: string): boolean {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && Math.abs(value) <= MAX_LOGIT;
}

function LogitInput({ token, text, onChange }: LogitInputProps) {
  const invalid = !isValidLogit(text);
  return (
    <input
      type="number"
      step="0.1"
      min={-MAX_LOGIT}
      max={MAX_LOGIT}
      className="demo-logit"
      aria-label={`Logit of token ${token}`}
      aria-invalid={invalid}
      data-testid={`gumbel-logit-${token}`}
      value={text}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

/** Returns the logits typed so far, with 0 for a field that is empty, not a number or out of range. */
function parseLogits(texts: readonly string[]): number[] {
  return texts.map((text) => (isValidLogit(text) ? Number(text) : 0));
}

function SampleTable({ logitTexts, setLogit, noise, temperature }: { logitTexts: string[]; setLogit: (token: number, text: string) => void; noise: number[]; temperature: number }) {
  const sample = gumbelDemoSample(parseLogits(logitTexts), noise, temperature);
  return (
    <table className="demo-table" data-testid="gumbel-table" data-hard-index={sample.hardIndex}>
      <caption className="sr-only">One straight-through Gumbel-softmax sample, one row per token</caption>
      <thead>
        <tr>
          <th scope="col">Token</th>
          <th scope="col">Logit</th>
          <th scope="col">Noise g</th>
          <th scope="col">Logit + g</th>
          <th scope="col">Hard sample</th>
          <th scope="col">Soft sample</th>
          <th scope="col">Gradient back</th>
        </tr>
      </thead>
      <tbody>
        {logitTexts.map((text, token) => {
          const chosen = token === sample.hardIndex;
          const soft = sample.soft[token] ?? 0;
          return (
            <tr key={token} className={chosen ? 'demo-chosen' : undefined}>
              <th scope="row">{token}</th>
              <td>
                <LogitInput token={token} text={text} onChange={(next) => setLogit(token, next)} />
              </td>
              <td data-testid={`gumbel-noise-${token}`}>{formatNumber(noise[token] ?? 0)}</td>
              <td>{formatNumber(sample.perturbed[token] ?? 0)}</td>
              <td data-testid={`gumbel-hard-${token}`}>{chosen ? '◀ 1' : '0'}</td>
              <td>
                <span className="demo-bar" aria-hidden="true">
                  <span className="demo-bar-fill" style={{ width: `${(soft * 100).toFixed(1)}%` }} />
                </span>
                <span data-testid={`gumbel-soft-${token}`}>{formatNumber(soft)}</span>
              </td>
              <td>{formatNumber(sample.straightThroughGradient[token] ?? 0)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Renders the demonstration panel. */
export function GumbelDemo() {
  const [logitTexts, setLogitTexts] = useState(() => START_LOGITS.map(String));
  const [seed, setSeed] = useState(START_SEED);
  const [temperature, setTemperature] = useState(1);
  const noise = useMemo(() => drawGumbelNoise(new Rng(seed), DEMO_TOKENS), [seed]);
  const maximised = useMaximisedClass('gumbel');

  const setLogit = (token: number, text: string) => setLogitTexts((texts) => texts.map((old, index) => (index === token ? text : old)));
  return (
    <section className={`gumbel-demo${maximised}`} data-panel="gumbel" aria-labelledby="gumbel-demo-title" data-testid="gumbel-demo">
      <div className="panel-header">
        <h3 id="gumbel-demo-title">Try it: one token drawn by the straight-through Gumbel-softmax</h3>
        <FullscreenButton panel="gumbel" title="Gumbel-softmax demonstration" />
      </div>
      <p>
        Edit the logits, draw new noise, and move the temperature. The hard sample, sent forward, is always the argmax of logit + g
        (marked ◀). The soft sample softmax((logit + g) / temperature) sums to 1 and nears the hard one as the temperature falls. The
        last column is the gradient of the chosen token&rsquo;s soft probability with respect to each logit: what the straight-through
        estimator passes back to the sender when the loss&rsquo;s gradient is 1 for the chosen token and 0 for the others (in general it
        weighs each token&rsquo;s row by that gradient). The hard sample alone would pass back nothing.
      </p>
      <div className="demo-controls">
        <button type="button" data-testid="gumbel-draw" onClick={() => setSeed((current) => current + 1)}>
          Draw new noise
        </button>
        <span className="panel-note" data-testid="gumbel-seed">
          noise seed {seed}
        </span>
        <label className="inline-setting" htmlFor="gumbel-temperature">
          Temperature
        </label>
        <input
          id="gumbel-temperature"
          type="range"
          min={MIN_TEMPERATURE}
          max={MAX_TEMPERATURE}
          step={0.05}
          value={temperature}
          data-testid="gumbel-temperature"
          onChange={(event) => setTemperature(Number(event.target.value))}
        />
        <output htmlFor="gumbel-temperature" data-testid="gumbel-temperature-value">
          {temperature.toFixed(2)}
        </output>
      </div>
      <div className="demo-table-scroll">
        <SampleTable logitTexts={logitTexts} setLogit={setLogit} noise={noise} temperature={temperature} />
      </div>
    </section>
  );
}
