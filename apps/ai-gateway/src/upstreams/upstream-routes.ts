/** An OpenAI-compatible API the gateway forwards calls to. */
export interface Upstream {
  /** The provider name price rules use. */
  provider: string;
  /** Ends in /v1 (OpenAI's convention): `${baseUrl}/chat/completions`, `${baseUrl}/responses`... */
  baseUrl: string;
  apiKey?: string;
  /** Model names it serves; a trailing `*` matches any suffix (`gpt-4o*`), `*` alone any model. */
  models: string[];
}

function matches(pattern: string, model: string): boolean {
  return pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model;
}

/** The first upstream that serves the model (configured order: the specific ones before the default). */
export function upstreamFor(upstreams: readonly Upstream[], model: string): Upstream | undefined {
  return upstreams.find((u) => u.models.some((pattern) => matches(pattern, model)));
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
    return {
      provider: text('provider', true)!,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      apiKey: text('api_key', false),
      models: models as string[],
    };
  });
}
