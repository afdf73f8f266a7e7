import { DomainError } from '@tally/platform';
import type { PriceRuleFields } from '@tally/pricing';
import { nextVersionFields, PriceRuleChange, sameFields } from './price-rule-version';

const problemsOf = (change: PriceRuleChange, base?: PriceRuleFields): string[] => {
  try {
    nextVersionFields(change, base);
  } catch (error) {
    if (error instanceof DomainError) return error.details ?? [];
    throw error;
  }
  return [];
};

describe('nextVersionFields', () => {
  const chat = nextVersionFields({
    scene: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    mode: 'tokens',
    input_per_million: '2.50',
    output_per_million: '010',
  });

  it('fills defaults and writes prices one way', () => {
    expect(chat).toEqual({
      scene: 'chat',
      provider: 'openai',
      model: 'gpt-4o',
      mode: 'tokens',
      priority: 0,
      status: 'active',
      input_per_million: '2.5',
      output_per_million: '10',
      cached_per_million: null,
      cache_write_per_million: null,
      cache_write_1h_per_million: null,
      reasoning_per_million: null,
      credits_per_call: null,
      credits_per_second: null,
      min_credits: null,
    });
  });

  it('requires the prices of each mode, naming them', () => {
    expect(problemsOf({ scene: 'chat', mode: 'tokens', input_per_million: '1' })).toEqual([
      'output_per_million: is required for mode tokens',
    ]);
    expect(problemsOf({ scene: 'img', mode: 'fixed' })).toEqual([
      'credits_per_call: is required for mode fixed',
    ]);
    expect(problemsOf({ scene: 'tts', mode: 'duration' })).toEqual([
      'credits_per_second: is required for mode duration',
    ]);
    expect(problemsOf({ scene: 'misc', mode: 'free' })).toEqual([]);
  });

  it('refuses prices the mode does not read', () => {
    expect(
      problemsOf({ scene: 'img', mode: 'fixed', credits_per_call: '1', input_per_million: '1' }),
    ).toEqual(['input_per_million: is not used by mode fixed']);
    expect(problemsOf({ scene: 'misc', mode: 'free', min_credits: 1 })).toEqual([
      'min_credits: is not used by mode free',
    ]);
  });

  it('keeps what an edit leaves out, and clears what it sets to null', () => {
    const edited = nextVersionFields(
      { output_per_million: '12', model: null, cached_per_million: '1' },
      chat,
    );
    expect(edited).toMatchObject({
      provider: 'openai',
      model: null,
      input_per_million: '2.5',
      output_per_million: '12',
      cached_per_million: '1',
    });
  });

  it('drops the old mode prices when an edit changes the mode', () => {
    expect(nextVersionFields({ mode: 'fixed', credits_per_call: '3' }, chat)).toMatchObject({
      mode: 'fixed',
      input_per_million: null,
      output_per_million: null,
      credits_per_call: '3',
    });
    expect(problemsOf({ mode: 'fixed' }, chat)).toEqual([
      'credits_per_call: is required for mode fixed',
    ]);
  });

  it('refuses null for the fields every version has', () => {
    expect(problemsOf({ scene: null, priority: null }, chat)).toEqual([
      'scene: must not be null',
      'priority: must not be null',
    ]);
    expect(problemsOf({ input_per_million: null }, chat)).toEqual([
      'input_per_million: is required for mode tokens',
    ]);
  });

  it('tells an edit that changes nothing', () => {
    expect(sameFields(nextVersionFields({ input_per_million: '2.500000' }, chat), chat)).toBe(true);
    expect(sameFields(nextVersionFields({ priority: 1 }, chat), chat)).toBe(false);
  });
});
