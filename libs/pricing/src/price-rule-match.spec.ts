import type { PriceRuleVersion } from './price-rule';
import { matchRule } from './price-rule-match';

type Rule = Pick<PriceRuleVersion, 'id' | 'scene' | 'provider' | 'model' | 'priority' | 'status'>;
const rule = (id: number, overrides: Partial<Rule> = {}): Rule => ({
  id,
  scene: 'chat',
  provider: null,
  model: null,
  priority: 0,
  status: 'active',
  ...overrides,
});
const idOf = (rules: Rule[], target: Parameters<typeof matchRule>[1]) =>
  matchRule(rules, target)?.id;

describe('matchRule', () => {
  const rules = [
    rule(1),
    rule(2, { provider: 'openai' }),
    rule(3, { model: 'gpt-4o' }),
    rule(4, { provider: 'openai', model: 'gpt-4o' }),
  ];

  it('prefers model and provider, then model, then provider, then neither, at equal priority', () => {
    expect(idOf(rules, { scene: 'chat', provider: 'openai', model: 'gpt-4o' })).toBe(4);
    expect(idOf(rules, { scene: 'chat', provider: 'azure', model: 'gpt-4o' })).toBe(3);
    expect(idOf(rules, { scene: 'chat', model: 'gpt-4o' })).toBe(3);
    expect(idOf(rules, { scene: 'chat', provider: 'openai', model: 'o3' })).toBe(2);
    expect(idOf(rules, { scene: 'chat', provider: 'anthropic' })).toBe(1);
    expect(idOf(rules, { scene: 'chat' })).toBe(1);
  });

  it('lets a higher priority beat a more specific rule', () => {
    const withPriority = [...rules, rule(5, { priority: 1 })];
    expect(idOf(withPriority, { scene: 'chat', provider: 'openai', model: 'gpt-4o' })).toBe(5);
    const negative = [rule(1, { priority: -1 }), rule(2, { provider: 'openai', priority: -2 })];
    expect(idOf(negative, { scene: 'chat', provider: 'openai' })).toBe(1);
  });

  it('breaks a full tie with the lowest id, whatever the order given', () => {
    const tied = [rule(9, { model: 'm' }), rule(7, { model: 'm' }), rule(8, { model: 'm' })];
    expect(idOf(tied, { scene: 'chat', model: 'm' })).toBe(7);
    expect(idOf([...tied].reverse(), { scene: 'chat', model: 'm' })).toBe(7);
  });

  it('never matches inactive or deleted rules, another scene, or another provider or model', () => {
    const others = [
      rule(1, { status: 'inactive', priority: 99 }),
      rule(2, { status: 'deleted', priority: 99 }),
      rule(3, { scene: 'tts', priority: 99 }),
      rule(4, { provider: 'azure', priority: 99 }),
      rule(5, { model: 'gpt-4o-mini', priority: 99 }),
      rule(6, { provider: 'openai', model: 'gpt-4o', priority: -5 }),
    ];
    expect(idOf(others, { scene: 'chat', provider: 'openai', model: 'gpt-4o' })).toBe(6);
    expect(idOf(others, { scene: 'chat', model: 'gpt-4o' })).toBeUndefined();
    expect(idOf(others, { scene: 'video' })).toBeUndefined();
    expect(idOf([], { scene: 'chat' })).toBeUndefined();
  });

  it('does not treat an unnamed provider or model in the request as a wildcard', () => {
    expect(idOf([rule(1, { provider: 'openai' })], { scene: 'chat' })).toBeUndefined();
    expect(idOf([rule(1, { model: 'gpt-4o' })], { scene: 'chat', model: null })).toBeUndefined();
  });
});
