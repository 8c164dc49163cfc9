import { useState } from 'react';
import { experimentQuery } from './experimentLink';
import { usePlayground } from './store';

/** Outcome of the last copy, shown beside the button. */
type CopyStatus = 'idle' | 'copied' | 'failed';

/** Returns the link that reopens the playground with `query`'s settings. */
function linkFor(query: string): string {
  return `${window.location.origin}${window.location.pathname}${query}`;
}

/**
 * Shows the experiment as a link whose query string contains the seed and every setting that differs
 * from the defaults. Copying falls back to selecting the shown link where the clipboard is refused.
 */
export function ShareLink() {
  const config = usePlayground((state) => state.config);
  const [status, setStatus] = useState<CopyStatus>('idle');
  const link = linkFor(experimentQuery(config));

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setStatus('copied');
    } catch {
      setStatus('failed');
      document.getElementById('experiment-link')?.focus();
    }
  };

  return (
    <div className="share-link">
      <label htmlFor="experiment-link">Experiment link</label>
      <input
        id="experiment-link"
        data-testid="experiment-link"
        type="text"
        readOnly
        value={link}
        onFocus={(event) => event.target.select()}
      />
      <button type="button" data-testid="copy-link" onClick={() => void copy()}>
        Copy link
      </button>
      <span className="panel-note" role="status" data-testid="copy-link-status">
        {status === 'copied' && 'Copied to the clipboard.'}
        {status === 'failed' && 'The browser refused the clipboard: copy the selected link by hand.'}
      </span>
    </div>
  );
}
