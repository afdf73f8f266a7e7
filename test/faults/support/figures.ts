/** Prints a scenario's figures as one block, outside Jest's console decoration. */
export function printFigures(scenario: string, figures: Record<string, number | string>): void {
  const width = Math.max(...Object.keys(figures).map((name) => name.length));
  const lines = Object.entries(figures).map(([name, value]) => `  ${name.padEnd(width)}  ${value}`);
  process.stdout.write(`\n[faults] ${scenario}\n${lines.join('\n')}\n`);
}
