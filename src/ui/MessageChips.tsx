import { EOS_TOKEN } from '../game/config';
import { messageIds, tokenSymbol } from './messageText';

interface MessageChipsProps {
  tokens: readonly number[];
  /** Shows each token's id under its symbol. */
  showIds?: boolean;
  testId?: string;
}

/** Renders a message as one chip per token, the end-of-sequence token marked as such. */
export function MessageChips({ tokens, showIds = false, testId }: MessageChipsProps) {
  return (
    <span className="message" data-testid={testId} data-tokens={messageIds(tokens)} title={`token ids: ${messageIds(tokens)}`}>
      {tokens.map((token, position) => {
        const end = token === EOS_TOKEN;
        return (
          <span key={position} className={end ? 'token token-eos' : 'token'}>
            <span className="token-symbol" aria-label={end ? 'end of sequence' : undefined}>
              {tokenSymbol(token)}
            </span>
            {showIds && <span className="token-id">{end ? 'end' : token}</span>}
          </span>
        );
      })}
    </span>
  );
}
