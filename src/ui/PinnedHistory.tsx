import { CLASS_NAMES } from '../data/cifar10';
import { messageSpans } from './inspectorState';
import { MessageChips } from './MessageChips';
import { usePlayground } from './store';

/** Spans shown, the most recent ones. */
const SHOWN_SPANS = 8;

/** Renders how the sender's message about the pinned image changed as training went on. */
export function PinnedHistory() {
  const pinned = usePlayground((state) => state.inspector.pinned);
  if (pinned === null) return null;
  const spans = messageSpans(pinned.samples);
  const shown = spans.slice(-SHOWN_SPANS).reverse();
  return (
    <div className="pinned" data-testid="inspector-pinned">
      <h3>
        Pinned: test image {pinned.image} ({CLASS_NAMES[pinned.label] ?? pinned.label})
      </h3>
      <p className="panel-note">
        {spans.length} different message{spans.length === 1 ? '' : 's'} over {pinned.samples.length} measurements, newest first.
      </p>
      <table className="pinned-table">
        <thead>
          <tr>
            <th scope="col">Steps</th>
            <th scope="col">Message</th>
            <th scope="col">Best rank</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((span) => (
            <tr key={span.firstStep}>
              <td>{span.firstStep === span.lastStep ? span.firstStep : `${span.firstStep}–${span.lastStep}`}</td>
              <td>
                <MessageChips tokens={span.tokens} />
              </td>
              <td>{span.bestRank ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
