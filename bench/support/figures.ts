/** One line of a benchmark's table; figures without a goal are the baselines others are held to. */
export interface Figure {
  figure: string;
  unit: string;
  measured: number;
  goal?: string;
  /** measured / the baseline it is compared with. */
  ratio?: number;
  pass?: boolean;
}

export function printFigures(figures: Figure[]): void {
  console.log('');
  console.table(
    figures.map((f) => ({
      figure: f.figure,
      goal: f.goal ?? '(baseline)',
      measured: `${f.measured.toFixed(f.measured >= 100 ? 0 : 1)} ${f.unit}`,
      ratio: f.ratio === undefined ? '' : f.ratio.toFixed(2),
      result: f.pass === undefined ? '' : f.pass ? 'pass' : 'FAIL',
    })),
  );
}
