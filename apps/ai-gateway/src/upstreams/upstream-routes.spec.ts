import { deploymentsFor, parseUpstreams, upstreamFor } from './upstream-routes';

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

  it('translating, takes the deployments of both APIs that list the model, the default only for the rest, its own API first', () => {
    const mixed = parseUpstreams({
      UPSTREAMS: JSON.stringify([
        {
          id: 'c',
          provider: 'anthropic',
          api: 'anthropic',
          base_url: 'http://a.example/v1',
          models: ['m'],
        },
        {
          id: 'o',
          provider: 'openai',
          base_url: 'http://o.example/v1',
          models: ['m'],
          priority: 1,
        },
      ]),
      UPSTREAM_BASE_URL: 'http://d.example/v1',
      UPSTREAM_PROVIDER: 'openai',
    });
    const ids = (list: { id: string }[]) => list.map((u) => u.id);
    expect(ids(deploymentsFor(mixed, 'm', 'openai', true))).toEqual(['c', 'o']);
    expect(ids(deploymentsFor(mixed, 'm', 'openai'))).toEqual(['o']);
    expect(ids(deploymentsFor(mixed, 'x', 'anthropic', true))).toEqual(['openai']);
    expect(ids(deploymentsFor(mixed, 'x', 'anthropic'))).toEqual([]);
    // The surface's own API before translating, whatever the priorities.
    expect(upstreamFor(mixed, 'm', 'openai', true)?.id).toBe('o');
    expect(upstreamFor(mixed, 'm', 'anthropic', true)?.id).toBe('c');
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

  it('reads deployments: id (provider-index by default), priority, weight, timeout_ms, rpm, tpm', () => {
    const [a, b, fallback] = parseUpstreams({
      UPSTREAMS: JSON.stringify([
        { provider: 'azure', base_url: 'http://a/v1', models: ['gpt-4o'] },
        {
          id: 'oa-east',
          provider: 'openai',
          base_url: 'http://b/v1',
          models: ['gpt-4o'],
          priority: 1,
          weight: 3,
          timeout_ms: 2500,
          rpm: 60,
          tpm: 10_000,
        },
      ]),
      UPSTREAM_BASE_URL: 'http://c/v1',
      UPSTREAM_PROVIDER: 'openai',
      UPSTREAM_TIMEOUT_MS: 9000,
    });
    expect(a).toMatchObject({ id: 'azure-0', priority: 0, weight: 1, timeoutMs: 9000 });
    expect(a.rpm).toBeUndefined();
    expect(b).toMatchObject({
      id: 'oa-east',
      priority: 1,
      weight: 3,
      timeoutMs: 2500,
      rpm: 60,
      tpm: 10_000,
    });
    expect(fallback).toMatchObject({ id: 'openai', catchAll: true, timeoutMs: 9000 });
    // Both entries serve gpt-4o; the default upstream only what no entry lists.
    expect(deploymentsFor([a, b, fallback], 'gpt-4o').map((d) => d.id)).toEqual([
      'azure-0',
      'oa-east',
    ]);
    expect(deploymentsFor([a, b, fallback], 'o3').map((d) => d.id)).toEqual(['openai']);
    expect(upstreamFor([b, a, fallback], 'gpt-4o')?.id).toBe('azure-0');
  });

  it('names the entry and the field of a bad deployment', () => {
    const parse = (entry: object) => () =>
      parseUpstreams({
        UPSTREAMS: JSON.stringify([
          { id: 'x', provider: 'p', base_url: 'http://x', models: ['m'] },
          { provider: 'p', base_url: 'http://x', models: ['m'], ...entry },
        ]),
        UPSTREAM_PROVIDER: 'p',
      });
    expect(parse({ id: 'x' })).toThrow('UPSTREAMS: [1].id x is already the id of another entry');
    expect(parse({ id: 'a b' })).toThrow('UPSTREAMS: [1].id must be');
    expect(parse({ priority: -1 })).toThrow('UPSTREAMS: [1].priority must be an integer from 0');
    expect(parse({ weight: 0 })).toThrow('UPSTREAMS: [1].weight must be an integer from 1');
    expect(parse({ weight: 1.5 })).toThrow('UPSTREAMS: [1].weight');
    expect(parse({ timeout_ms: '5s' })).toThrow('UPSTREAMS: [1].timeout_ms must be an integer');
    expect(parse({ rpm: 0 })).toThrow('UPSTREAMS: [1].rpm');
    expect(parse({ tpm: null })).toThrow('UPSTREAMS: [1].tpm');
  });
});
