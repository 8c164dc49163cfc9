import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../game/config';
import { extractorPassesPerStep, lossForwardFlops, receiverForwardFlops, senderForwardFlops, trainingStepFlops, vggForwardFlops } from './flops';

/** Havrylov & Titov's settings: VGG16, batch 128, hidden 512, embeddings 256, vocabulary 100, 5 tokens. */
const PAPER: RunConfig = { ...DEFAULT_RUN_CONFIG };

describe('vggForwardFlops', () => {
  it('counts VGG16 on one 32x32 image', () => {
    // Block by block: 32x32 (3->64, 64->64), 16x16 (64->128, 128->128), 8x8 (128->256, 2 x 256->256),
    // 4x4 (256->512, 2 x 512->512), 2x2 (3 x 512->512), then fc6 512->4096 and fc7 4096->4096.
    const conv = (side: number, cin: number, cout: number) => 2 * side * side * 9 * cin * cout;
    const expected =
      conv(32, 3, 64) + conv(32, 64, 64) +
      conv(16, 64, 128) + conv(16, 128, 128) +
      conv(8, 128, 256) + 2 * conv(8, 256, 256) +
      conv(4, 256, 512) + 2 * conv(4, 512, 512) +
      3 * conv(2, 512, 512) +
      2 * 512 * 4096 + 2 * 4096 * 4096;
    expect(vggForwardFlops('vgg16', 1)).toBe(expected);
  });

  it('is about 0.66 GFLOP per VGG16 image', () => {
    expect(vggForwardFlops('vgg16', 1) / 1e9).toBeCloseTo(0.664, 2);
  });

  it('scales with the number of images', () => {
    expect(vggForwardFlops('narrow', 128)).toBe(128 * vggForwardFlops('narrow', 1));
  });

  it('counts the narrow backbone at 1/64 of the convolutions', () => {
    // Every width is divided by 8, so a convolution's Cin x Cout shrinks 64-fold (the first keeps its 3 inputs).
    const narrowFc = 2 * 64 * 512 + 2 * 512 * 512;
    const vggFc = 2 * 512 * 4096 + 2 * 4096 * 4096;
    const firstConv = 2 * 32 * 32 * 9 * 3;
    const vggRest = vggForwardFlops('vgg16', 1) - vggFc - firstConv * 64;
    const narrowRest = vggForwardFlops('narrow', 1) - narrowFc - firstConv * 8;
    expect(narrowRest * 64).toBe(vggRest);
  });
});

describe('agent FLOPs', () => {
  it('counts the sender at the paper\u2019s settings', () => {
    const b = 128;
    const perPosition = 2 * b * (256 + 512) * 2048 + 2 * b * 512 * 100 + 2 * b * 100 * 256;
    expect(senderForwardFlops(PAPER, 4096)).toBe(2 * b * 4096 * 512 + 5 * perPosition);
  });

  it('adds the learned temperature head', () => {
    const learned = senderForwardFlops({ ...PAPER, temperatureMode: 'learned' }, 4096);
    expect(learned - senderForwardFlops(PAPER, 4096)).toBe(5 * 2 * 128 * 512);
  });

  it('counts the receiver at the paper\u2019s settings', () => {
    const b = 128;
    const perPosition = 2 * b * 100 * 256 + 2 * b * (256 + 512) * 2048;
    expect(receiverForwardFlops(PAPER, 4096)).toBe(5 * perPosition + 2 * b * 512 * 4096);
  });

  it('counts the scores and each rotation head', () => {
    const scores = 2 * 128 * 4096 * 128;
    expect(lossForwardFlops(PAPER, 4096)).toBe(scores);
    expect(lossForwardFlops({ ...PAPER, rotationTask: 'sender-predicts' }, 4096)).toBe(scores + 2 * 128 * 4096 * 512 + 2 * 128 * 512 * 4);
    expect(lossForwardFlops({ ...PAPER, rotationTask: 'receiver-predicts' }, 4096)).toBe(scores + 2 * 128 * 512 * 512 + 2 * 128 * 512 * 4);
  });
});

describe('extractorPassesPerStep', () => {
  const cases: [Partial<RunConfig>, number][] = [
    [{ extractor: 'learned', augmentation: 'none' }, 1],
    [{ extractor: 'learned', augmentation: 'noise' }, 2],
    [{ extractor: 'learned', augmentation: 'rotation' }, 2],
    [{ extractor: 'random-frozen', augmentation: 'none' }, 0],
    [{ extractor: 'pretrained-fixed', augmentation: 'rotation' }, 0],
    [{ extractor: 'random-frozen', augmentation: 'noise' }, 1],
    [{ extractor: 'random-frozen', augmentation: 'none', featureCache: 'off' }, 1],
    [{ extractor: 'random-frozen', augmentation: 'rotation', featureCache: 'off' }, 2],
  ];
  for (const [settings, passes] of cases) {
    it(`is ${passes} for ${JSON.stringify(settings)}`, () => {
      expect(extractorPassesPerStep({ ...PAPER, ...settings })).toBe(passes);
    });
  }
});

describe('trainingStepFlops', () => {
  it('triples the learned extractor and the agents', () => {
    const flops = trainingStepFlops({ ...PAPER, extractor: 'learned' });
    expect(flops.extractor).toBe(3 * vggForwardFlops('vgg16', 128));
    expect(flops.sender).toBe(3 * senderForwardFlops(PAPER, 4096));
    expect(flops.receiver).toBe(3 * receiverForwardFlops(PAPER, 4096));
    expect(flops.loss).toBe(3 * lossForwardFlops(PAPER, 4096));
    expect(flops.total).toBe(flops.extractor + flops.sender + flops.receiver + flops.loss);
  });

  it('counts a frozen noisy extractor forward only', () => {
    expect(trainingStepFlops({ ...PAPER, augmentation: 'noise' }).extractor).toBe(vggForwardFlops('vgg16', 128));
  });

  it('counts no extractor work for cached features', () => {
    expect(trainingStepFlops(PAPER).extractor).toBe(0);
  });

  it('puts the learned VGG16 step near 271 GFLOP', () => {
    expect(trainingStepFlops({ ...PAPER, extractor: 'learned' }).total / 1e9).toBeCloseTo(271.1, 1);
  });

  it('rejects MobileNetV2', () => {
    expect(() => trainingStepFlops({ ...PAPER, backbone: 'mobilenetv2', extractor: 'pretrained-fixed' })).toThrow(/VGG/);
  });
});
