import type { PriceRuleVersion } from './price-rule';

export interface PriceTarget {
  scene: string;
  provider?: string | null;
  model?: string | null;
}

type Matchable = Pick<
  PriceRuleVersion,
  'id' | 'scene' | 'provider' | 'model' | 'priority' | 'status'
>;

/**
 * A rule naming the model beats one naming only the provider, which beats one naming neither;
 * between two naming the model, the one also naming the provider is the more specific.
 */
function specificity(rule: Matchable): number {
  return (rule.model !== null ? 2 : 0) + (rule.provider !== null ? 1 : 0);
}

/**
 * The rule that prices (scene, provider, model): among active rules of the scene whose provider
 * and model are null (any) or equal, the highest priority, then the most specific, then the
 * lowest id (the oldest).
 */
export function matchRule<R extends Matchable>(
  rules: readonly R[],
  target: PriceTarget,
): R | undefined {
  const candidates = rules.filter(
    (r) =>
      r.status === 'active' &&
      r.scene === target.scene &&
      (r.provider === null || r.provider === target.provider) &&
      (r.model === null || r.model === target.model),
  );
  return candidates.sort(
    (a, b) => b.priority - a.priority || specificity(b) - specificity(a) || a.id - b.id,
  )[0];
}
