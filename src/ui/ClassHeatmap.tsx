/**
 * The names of the classes: a class x message table of image counts, shaded by the share of the
 * class's images, with each class's purity and consistency. Beside it, the most frequent messages.
 */
import { CLASS_NAMES } from '../data/cifar10';
import type { LanguageReport } from '../worker/protocol';
import { dominantClass, heatLevel, heatmapColumns, imagesOutsideColumns } from './explorerData';
import { showMessage } from './inspectorActions';
import { sameTokens } from './inspectorState';
import { MessageChips } from './MessageChips';
import { messageIds, messageText } from './messageText';
import { usePlayground } from './store';
import type { TrainingClient } from './trainingClient';

/** Messages shown as heatmap columns. */
const HEATMAP_MESSAGES = 16;

/** Messages in the frequency list. */
const LISTED_MESSAGES = 12;

function percent(fraction: number): string {
  return Number.isNaN(fraction) ? '–' : `${Math.round(fraction * 100)}%`;
}

interface TableProps {
  client: TrainingClient;
  report: LanguageReport;
}

function HeatmapHeader({ client, report, columns }: TableProps & { columns: number[] }) {
  const selected = usePlayground((state) => state.inspector.selectedMessage);
  return (
    <thead>
      <tr>
        <th scope="col">Class</th>
        {columns.map((index) => {
          const message = report.messages[index];
          if (message === undefined) return null;
          const isSelected = selected !== null && sameTokens(selected, message.tokens);
          return (
            <th key={index} scope="col" className="heatmap-message">
              <button type="button" aria-pressed={isSelected} title={`token ids ${messageIds(message.tokens)}: ${message.count} images`} onClick={() => showMessage(client, message.tokens)}>
                {messageText(message.tokens)}
              </button>
            </th>
          );
        })}
        <th scope="col" className="heatmap-other">other</th>
        <th scope="col" title="Share of the class's images that produce its most frequent message">consistency</th>
        <th scope="col" title="Mean share of same-class images among the images that share a message">purity</th>
      </tr>
    </thead>
  );
}

function HeatmapRow({ client, report, columns, label, other }: TableProps & { columns: number[]; label: number; other: number }) {
  const entry = report.perClass[label];
  const images = entry?.images ?? 0;
  return (
    <tr>
      <th scope="row">
        {CLASS_NAMES[label]} <span className="heatmap-count">({images})</span>
      </th>
      {columns.map((index) => {
        const message = report.messages[index];
        const count = message?.classCounts[label] ?? 0;
        return (
          <td key={index}>
            <button
              type="button"
              className={`heat heat-${heatLevel(count, images)}`}
              data-testid="heatmap-cell"
              data-class={label}
              data-tokens={message === undefined ? '' : messageIds(message.tokens)}
              aria-label={`${CLASS_NAMES[label]}: ${count} images say ${message === undefined ? '' : messageText(message.tokens)}`}
              onClick={() => message !== undefined && showMessage(client, message.tokens)}
            >
              {count === 0 ? '' : count}
            </button>
          </td>
        );
      })}
      <td className={`heat heat-${heatLevel(other, images)} heatmap-other`}>{other === 0 ? '' : other}</td>
      <td className="heatmap-figure">{images === 0 ? '–' : percent(entry?.topMessageShare ?? NaN)}</td>
      <td className="heatmap-figure">{images === 0 ? '–' : percent(entry?.purity ?? NaN)}</td>
    </tr>
  );
}

/** Renders the class x message heatmap; clicking a cell or a message shows that message's images. */
export function ClassHeatmap({ client, report }: TableProps) {
  const columns = heatmapColumns(report, HEATMAP_MESSAGES);
  const others = imagesOutsideColumns(report, columns);
  return (
    <figure className="heatmap" data-testid="heatmap">
      <figcaption>
        <span className="chart-title">What each class is called</span>
        <span className="chart-caption">
          Images of each class (rows) that produce each of the {columns.length} most frequent messages (columns), shaded by
          the share of the class. A naming language shows a diagonal; a hash spreads thin. Click a cell to see a message's images.
        </span>
      </figcaption>
      <div className="heatmap-scroll">
        <table className="heatmap-table">
          <HeatmapHeader client={client} report={report} columns={columns} />
          <tbody>
            {CLASS_NAMES.map((name, label) => (
              <HeatmapRow key={name} client={client} report={report} columns={columns} label={label} other={others[label] ?? 0} />
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** Renders the most frequent messages with their counts and main class; clicking one shows its images. */
export function FrequentMessages({ client, report }: TableProps) {
  const selected = usePlayground((state) => state.inspector.selectedMessage);
  return (
    <figure className="frequent" data-testid="frequent-messages">
      <figcaption>
        <span className="chart-title">Most frequent messages</span>
        <span className="chart-caption">Held-out images per message, and the class most of them belong to.</span>
      </figcaption>
      <ol className="frequent-list">
        {report.messages.slice(0, LISTED_MESSAGES).map((message) => {
          const main = dominantClass(message);
          const isSelected = selected !== null && sameTokens(selected, message.tokens);
          return (
            <li key={messageIds(message.tokens)}>
              <button type="button" aria-pressed={isSelected} data-testid="frequent-message" onClick={() => showMessage(client, message.tokens)}>
                <MessageChips tokens={message.tokens} />
                <span className="frequent-count">{message.count}</span>
                <span className="frequent-class">
                  {percent((message.classCounts[main] ?? 0) / message.count)} {CLASS_NAMES[main]}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}
