import { MAX_PROVIDER_LENGTH } from '@tally/contracts';

/** The API an upstream speaks: each client surface is routed only to upstreams that speak it. */
export const UPSTREAM_APIS = ['openai', 'anthropic'] as const;
export type UpstreamApi = (typeof UPSTREAM_APIS)[number];

/** An API the gateway forwards client calls to. */
export interface Upstream {
  /** The provider name price rules use. */
  provider: string;
  api: UpstreamApi;
  /** Ends in /v1 (both APIs' convention): `${baseUrl}/chat/completions`, `${baseUrl}/responses`,
   * `${baseUrl}/messages`... */
  baseUrl: string;
  apiKey?: string;
  /** Model names it serves; a trailing `*` matches any suffix (`gpt-4o*`), `*` alone any model. */
  models: string[];
}

/** A model pattern's rule (upstream routes and API keys' model lists alike). */
export function modelMatches(pattern: string, model: string): boolean {
  return pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model;
}

/**
 * The first upstream speaking `api` that serves the model (configured order: the specific ones
 * before the default). A model served only by an upstream of the other API has none, unless the
 * surface can translate its calls (`translating`): then the first upstream serving it.
 */
export function upstreamFor(
  upstreams: readonly Upstream[],
  model: string,
  api: UpstreamApi = 'openai',
  translating = false,
): Upstream | undefined {
  const serves = (u: Upstream) => u.models.some((pattern) => modelMatches(pattern, model));
  return (
    upstreams.find((u) => u.api === api && serves(u)) ??
    (translating ? upstreams.find(serves) : undefined)
  );
}

/**
 * The upstreams from the settings: UPSTREAMS (JSON list) first, then UPSTREAM_BASE_URL for every
 * model. Throws with the setting's name when UPSTREAMS is not a valid list.
 */
export function parseUpstreams(settings: {
  UPSTREAMS?: string;
  UPSTREAM_BASE_URL?: string;
  UPSTREAM_API_KEY?: string;
  UPSTREAM_PROVIDER: string;
}): Upstream[] {
  const listed = settings.UPSTREAMS ? parseList(settings.UPSTREAMS) : [];
  const fallback: Upstream[] = settings.UPSTREAM_BASE_URL
    ? [
        {
          provider: settings.UPSTREAM_PROVIDER,
          api: 'openai',
          baseUrl: settings.UPSTREAM_BASE_URL.replace(/\/+$/, ''),
          apiKey: settings.UPSTREAM_API_KEY,
          models: ['*'],
        },
      ]
    : [];
  return [...listed, ...fallback];
}

function parseList(json: string): Upstream[] {
  const fail = (why: string): never => {
    throw new Error(`UPSTREAMS: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    fail('is not valid JSON');
  }
  if (!Array.isArray(parsed)) fail('must be a JSON list of upstreams');
  return (parsed as unknown[]).map((item, i) => {
    const u = (item ?? {}) as Record<string, unknown>;
    const text = (key: string, required: boolean): string | undefined => {
      const value = u[key];
      if (value === undefined && !required) return undefined;
      if (typeof value !== 'string' || value === '')
        fail(`[${i}].${key} must be a non-empty string`);
      return value as string;
    };
    const baseUrl = text('base_url', true)!;
    if (!/^https?:\/\/\S+$/.test(baseUrl)) fail(`[${i}].base_url must be an http(s):// URL`);
    const models = u.models;
    if (
      !Array.isArray(models) ||
      models.length === 0 ||
      !models.every((m) => typeof m === 'string' && m)
    ) {
      fail(`[${i}].models must be a non-empty list of model names`);
    }
    const api = u.api ?? 'openai';
    if (!UPSTREAM_APIS.includes(api as UpstreamApi)) {
      fail(`[${i}].api must be one of ${UPSTREAM_APIS.join(', ')}`);
    }
    const provider = text('provider', true)!;
    if (provider.length > MAX_PROVIDER_LENGTH) {
      fail(
        `[${i}].provider must be at most ${MAX_PROVIDER_LENGTH} characters (the price rules' limit)`,
      );
    }
    return {
      provider,
      api: api as UpstreamApi,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      apiKey: text('api_key', false),
      models: models as string[],
    };
  });
}
