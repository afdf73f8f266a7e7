import { ClockPair, WallClockWatch } from './wall-clock-watch';

/** Clocks the test moves: `tick` moves both, `step` the wall clock alone. */
function clocks() {
  let wall = 1_796_554_000_000;
  let monotonic = 5_000;
  const pair: ClockPair = { wall: () => wall, monotonic: () => monotonic };
  return {
    pair,
    tick: (ms: number) => {
      wall += ms;
      monotonic += ms;
    },
    step: (ms: number) => {
      wall += ms;
    },
  };
}

describe('WallClockWatch', () => {
  it('reports a step back of the wall clock once, with its size', () => {
    const time = clocks();
    const steps: number[] = [];
    const watch = new WallClockWatch((ms) => steps.push(ms), 1_000, time.pair);
    time.tick(1_000);
    watch.check();
    time.tick(1_000);
    time.step(-600_000);
    watch.check();
    time.tick(1_000);
    watch.check();
    expect(steps).toEqual([600_000]);
  });

  it('ignores a step forward, a slewing clock and jitter under the threshold', () => {
    const time = clocks();
    const steps: number[] = [];
    const watch = new WallClockWatch((ms) => steps.push(ms), 1_000, time.pair);
    time.step(600_000);
    watch.check();
    // Slewed back half a millisecond a second for an hour: 1.8 s in all, never a step.
    for (let i = 0; i < 3_600; i++) {
      time.tick(1_000);
      time.step(-0.5);
      watch.check();
    }
    time.step(-999);
    watch.check();
    expect(steps).toEqual([]);
  });
});
