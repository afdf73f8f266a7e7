import { parseUpstreams, upstreamFor } from './upstream-routes';

describe('upstream routes', () => {
  const upstreams = parseUpstreams({
    UPSTREAMS: JSON.stringify([
      {
        provider: 'anthropic',
        api: 'anthropic',
        base_url: 'http://a.example/v1/',
        api_key: 'ka',
        models: ['claude-*'],
      },
      { provider: 'bedrock', base_url: 'http://b.example/v1', models: ['claude-*'] },
      { provider: 'local', base_url: 'http://l.example/v1', models: ['llama-3', 'qwen*'] },
    ]),
    UPSTREAM_BASE_URL: 'http://o.example/v1',
    UPSTREAM_API_KEY: 'ko',
    UPSTREAM_PROVIDER: 'openai',
  });

  it('routes a model served only in the other API there when the surface translates', () => {
    const only = parseUpstreams({
      UPSTREAMS: JSON.stringify([
        {
          provider: 'anthropic',
          api: 'anthropic',
          base_url: 'http://a.example/v1',
          models: ['claude-*'],
        },
        { provider: 'openai', base_url: 'http://o.example/v1', models: ['gpt-*'] },
      ]),
      UPSTREAM_PROVIDER: 'openai',
    });
    expect(upstreamFor(only, 'claude-x', 'openai')).toBeUndefined();
    expect(upstreamFor(only, 'claude-x', 'openai', true)?.provider).toBe('anthropic');
    expect(upstreamFor(only, 'gpt-x', 'anthropic', true)?.provider).toBe('openai');
    expect(upstreamFor(only, 'llama', 'openai', true)).toBeUndefined();
    // An upstream speaking the surface's API is preferred to translating.
    expect(upstreamFor(upstreams, 'claude-x', 'openai', true)?.provider).toBe('bedrock');
  });

  it('sends a model to the first upstream that lists it, and the rest to the default', () => {
    expect(upstreamFor(upstreams, 'claude-sonnet', 'anthropic')).toMatchObject({
      provider: 'anthropic',
      api: 'anthropic',
      baseUrl: 'http://a.example/v1',
      apiKey: 'ka',
    });
    expect(upstreamFor(upstreams, 'llama-3')?.provider).toBe('local');
    expect(upstreamFor(upstreams, 'llama-3.1')?.provider).toBe('openai');
    expect(upstreamFor(upstreams, 'qwen2')?.provider).toBe('local');
    expect(upstreamFor(upstreams, 'gpt-4o')).toMatchObject({ provider: 'openai', apiKey: 'ko' });
  });

  it('routes a surface only to upstreams that speak its API (openai by default)', () => {
    expect(upstreamFor(upstreams, 'claude-sonnet')).toMatchObject({
      provider: 'bedrock',
      api: 'openai',
    });
    expect(upstreamFor(upstreams, 'claude-sonnet', 'openai')?.provider).toBe('bedrock');
    // The default upstream speaks OpenAI's API: no Anthropic route for a model only it serves.
    expect(upstreamFor(upstreams, 'gpt-4o', 'anthropic')).toBeUndefined();
  });

  it('has no route at all without any upstream configured', () => {
    expect(upstreamFor(parseUpstreams({ UPSTREAM_PROVIDER: 'openai' }), 'gpt-4o')).toBeUndefined();
  });

  it('names the setting and the field when UPSTREAMS is wrong', () => {
    const parse = (UPSTREAMS: string) => () =>
      parseUpstreams({ UPSTREAMS, UPSTREAM_PROVIDER: 'x' });
    expect(parse('{')).toThrow('UPSTREAMS: is not valid JSON');
    expect(parse('{}')).toThrow('UPSTREAMS: must be a JSON list');
    expect(parse('[{"provider":"p","base_url":"ftp://x","models":["m"]}]')).toThrow(
      'UPSTREAMS: [0].base_url must be an http(s):// URL',
    );
    expect(parse('[{"provider":"p","base_url":"http://x","models":[]}]')).toThrow('[0].models');
    expect(parse('[{"base_url":"http://x","models":["m"]}]')).toThrow('[0].provider');
    const long = JSON.stringify([
      { provider: 'p'.repeat(65), base_url: 'http://x', models: ['m'] },
    ]);
    expect(parse(long)).toThrow('UPSTREAMS: [0].provider must be at most 64 characters');
    expect(parse('[{"provider":"p","api":"gemini","base_url":"http://x","models":["m"]}]')).toThrow(
      'UPSTREAMS: [0].api must be one of openai, anthropic',
    );
  });
});
