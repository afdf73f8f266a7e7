/** One line of a benchmark's table; figures without a goal are the baselines others are held to. */
export interface Figure {
  figure: string;
  unit: string;
  measured: number;
  /** The same figure of a floor the measured one is held against (printed in its own column). */
  floor?: number;
  goal?: string;
  /** measured / the baseline it is compared with. */
  ratio?: number;
  pass?: boolean;
}

const shown = (n: number) => n.toFixed(Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);

export function printFigures(figures: Figure[]): void {
  const withFloor = figures.some((f) => f.floor !== undefined);
  console.log('');
  console.table(
    figures.map((f) => ({
      figure: f.figure,
      goal: f.goal ?? '(baseline)',
      ...(withFloor ? { floor: f.floor === undefined ? '' : shown(f.floor) } : {}),
      measured: `${shown(f.measured)} ${f.unit}`,
      ratio: f.ratio === undefined ? '' : f.ratio.toFixed(2),
      result: f.pass === undefined ? '' : f.pass ? 'pass' : 'FAIL',
    })),
  );
}
