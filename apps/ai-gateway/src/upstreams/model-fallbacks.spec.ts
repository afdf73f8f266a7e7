import { modelChain, parseModelFallbacks } from './model-fallbacks';

describe('model fallbacks', () => {
  it('chains the asked model and its fallbacks, each once', () => {
    const fallbacks = parseModelFallbacks(
      '{"gpt-4o":["gpt-4o-mini","claude-sonnet","gpt-4o-mini"]}',
    );
    expect(modelChain(fallbacks, 'gpt-4o')).toEqual(['gpt-4o', 'gpt-4o-mini', 'claude-sonnet']);
    expect(modelChain(fallbacks, 'gpt-4o-mini')).toEqual(['gpt-4o-mini']);
    expect(modelChain(parseModelFallbacks(undefined), 'm')).toEqual(['m']);
  });

  it('names the setting and the model when it is wrong', () => {
    expect(() => parseModelFallbacks('[')).toThrow('MODEL_FALLBACKS: is not valid JSON');
    expect(() => parseModelFallbacks('["m"]')).toThrow('MODEL_FALLBACKS: must be a JSON object');
    expect(() => parseModelFallbacks('{"m":"n"}')).toThrow('MODEL_FALLBACKS: m must be a list');
    expect(() => parseModelFallbacks('{"m":["m"]}')).toThrow(
      'MODEL_FALLBACKS: m must not fall back to itself',
    );
  });
});
