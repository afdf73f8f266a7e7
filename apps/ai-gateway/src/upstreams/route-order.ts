import type { Upstream } from './upstream-routes';

/**
 * The order to try deployments in: lower priority first; among equal priorities a random order in
 * which each comes first in proportion to its weight.
 */
export function orderDeployments(
  deployments: readonly Upstream[],
  random: () => number = Math.random,
): Upstream[] {
  const priorities = [...new Set(deployments.map((d) => d.priority))].sort((a, b) => a - b);
  return priorities.flatMap((p) =>
    weightedShuffle(
      deployments.filter((d) => d.priority === p),
      random,
    ),
  );
}

function weightedShuffle(pool: Upstream[], random: () => number): Upstream[] {
  const left = [...pool];
  const order: Upstream[] = [];
  while (left.length > 0) {
    let pick = random() * left.reduce((sum, d) => sum + d.weight, 0);
    let i = 0;
    while (i < left.length - 1 && pick >= left[i].weight) pick -= left[i++].weight;
    order.push(...left.splice(i, 1));
  }
  return order;
}
