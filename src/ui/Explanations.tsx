/**
 * Short explanations beside each part of the page, folded in `<details>` so that the default view
 * stays uncluttered, with the publications they come from.
 */
import type { ReactNode } from 'react';
import { GumbelDemo } from './GumbelDemo';
import { usePlayground } from './store';

/** The publications the explanations cite. */
const SOURCES = {
  havrylov: 'Havrylov & Titov, “Emergence of language with multi-agent games: learning to communicate with sequences of symbols”, NeurIPS 2017',
  mihai: 'Mihai & Hare, “Avoiding hashing and encouraging visual semantics in referential emergent language games”, NeurIPS 2019 Emergent Communication workshop',
  jang: 'Jang, Gu & Poole, “Categorical reparameterization with Gumbel-softmax”, ICLR 2017',
  maddison: 'Maddison, Mnih & Teh, “The Concrete distribution: a continuous relaxation of discrete random variables”, ICLR 2017',
  bengio: 'Bengio, Léonard & Courville, “Estimating or propagating gradients through stochastic neurons for conditional computation”, 2013',
} as const;

type SourceId = keyof typeof SOURCES;

interface ExplanationProps {
  id: string;
  summary: string;
  sources: readonly SourceId[];
  children: ReactNode;
}

/** Renders one folded explanation with its sources at the end. */
function Explanation({ id, summary, sources, children }: ExplanationProps) {
  return (
    <details className="explanation" data-testid={`explain-${id}`}>
      <summary>{summary}</summary>
      <div className="explanation-body">
        {children}
        <p className="explanation-sources">Sources: {sources.map((source) => SOURCES[source]).join('; ')}.</p>
      </div>
    </details>
  );
}

/** Explains the referential game the agents play. */
export function GameExplanation() {
  const config = usePlayground((state) => state.runConfig ?? state.config);
  return (
    <Explanation id="game" summary="What is the referential game?" sources={['havrylov', 'mihai']}>
      <p>
        In each game the sender sees one target image and writes a message of at most {config.maxLen} tokens from a vocabulary of{' '}
        {config.vocabSize} symbols; token 0 ends a message early. The receiver reads the message and sees {config.batchSize} candidate images:
        the target and {config.batchSize - 1} distractors, which are the other images of the batch. It scores every candidate by the dot
        product of its reading of the message with the candidate&rsquo;s image features, and the game is won when the target scores highest.
      </p>
      <p>
        No one tells the agents what a token means. Both start from random weights and are trained together on the receiver&rsquo;s loss, so
        whatever the tokens come to mean is whatever helps the receiver find the target: a language that emerges from the game.
      </p>
    </Explanation>
  );
}

/** Explains why sampled tokens block gradients and how the straight-through Gumbel-softmax gets round it, with the demonstration. */
export function GradientExplanation() {
  return (
    <section className="panel explanations-panel" aria-labelledby="gradient-heading">
      <h2 id="gradient-heading">How the sender learns through discrete tokens</h2>
      <Explanation id="sampling" summary="Why does sampling a token block the gradient?" sources={['havrylov', 'jang']}>
        <p>
          At each position the sender computes logits over the vocabulary and draws a token from softmax(logits). The token it sends is a
          step function of the logits: a small change of a logit either leaves the token as it is or switches it to another one. Its
          derivative is therefore zero almost everywhere and undefined at the switches, so backpropagation from the receiver&rsquo;s loss
          stops at the message and the sender gets no learning signal.
        </p>
        <p>
          One way round is REINFORCE (the <em>Channel</em> setting offers it), which treats the loss as a reward: unbiased, but noisy. The
          other is to relax the sample so that it has a useful gradient, as below.
        </p>
      </Explanation>
      <Explanation id="gumbel" summary="The Gumbel-max trick and the straight-through estimator" sources={['jang', 'maddison', 'bengio', 'havrylov']}>
        <p>
          <strong>Gumbel-max trick.</strong> Add to each logit independent Gumbel noise g = −log(−log u), with u uniform in (0, 1). The
          token argmax(logits + g) then has exactly the distribution softmax(logits). The randomness now sits in the noise, apart from the
          parameters.
        </p>
        <p>
          <strong>Gumbel-softmax (Concrete) relaxation.</strong> Replacing the argmax by softmax((logits + g) / temperature) gives a soft
          sample: a point of the probability simplex that is differentiable in the logits. As the temperature falls toward 0 it approaches
          the one-hot sample, and its gradients grow in variance.
        </p>
        <p>
          <strong>Straight-through estimator.</strong> The playground&rsquo;s default channel sends the hard one-hot token forward, so the
          receiver reads discrete symbols as it will after training, and backward uses the gradient of the soft sample in its place. The
          gradient is biased, because forward and backward follow different functions, but it has low variance, and it trained the agents
          of Havrylov &amp; Titov.
        </p>
        <GumbelDemo />
      </Explanation>
    </section>
  );
}

/** Explains the hinge loss and every chart's metric. */
export function MetricsExplanation() {
  const batchSize = usePlayground((state) => (state.runConfig ?? state.config).batchSize);
  return (
    <Explanation id="metrics" summary="What do the loss and the metrics measure?" sources={['havrylov', 'mihai']}>
      <p>
        <strong>Hinge loss.</strong> For a game with target t and receiver scores s, the loss is Σ<sub>d ≠ t</sub> max(0, 1 − s<sub>t</sub> +
        s<sub>d</sub>) over the {batchSize - 1} distractors d. A distractor costs nothing once it scores at least the margin 1 below the target,
        and costs in proportion to the shortfall otherwise. The chart shows the mean over the batch&rsquo;s games, so when every score is equal
        it reads {batchSize - 1}, and 0 means every distractor is at least 1 below its target.
      </p>
      <ul>
        <li>
          <strong>Training-batch success:</strong> share of the training batch&rsquo;s games, played with sampled tokens, in which the target
          scores highest.
        </li>
        <li>
          <strong>Held-out communication success:</strong> the same on test images never trained on, with the sender&rsquo;s most likely
          tokens instead of samples; top-5 counts the target among the first 5. Chance is 1/{batchSize} and 5/{batchSize}.
        </li>
        <li>
          <strong>Target-class images in the top 5:</strong> how many of the receiver&rsquo;s first 5 candidates share the target&rsquo;s
          class, the target included. It rises when messages carry the class.
        </li>
        <li>
          <strong>Rank of target-class distractors:</strong> mean rank of the distractors of the target&rsquo;s class; at random it is
          about {((batchSize + 1) / 2).toFixed(1)}, and it falls when messages carry the class.
        </li>
      </ul>
      <p>Dotted lines on the charts mark chance: what a receiver ranking at random would score.</p>
    </Explanation>
  );
}

/** Explains what hashing is and how the explorer's figures reveal it. */
export function HashingExplanation() {
  return (
    <Explanation id="hashing" summary="What is hashing?" sources={['mihai']}>
      <p>
        The agents win as soon as the message singles out the target among the candidates. Nothing requires it to describe what is in the
        picture: the sender can encode low-level details of the pixels that differ from image to image, and give almost every image a
        message of its own, like a hash function. Communication success is then high, yet images of the same class get unrelated messages
        and the receiver ranks the target&rsquo;s class-mates no better than other distractors.
      </p>
      <p>
        Mihai &amp; Hare call this hashing. They measure visual semantics with the number of target-class images in the top 5 and their
        average rank, and report that changes such as noise or rotations of the sender&rsquo;s images, or a second task of predicting the
        rotation, shift the balance between game play and semantics. Here, the hashing index, purity and the class × message heatmap show
        which way a run has gone.
      </p>
    </Explanation>
  );
}
