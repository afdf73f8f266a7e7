import { MAX_PROVIDER_LENGTH } from '@tally/contracts';

/** The API an upstream speaks. */
export const UPSTREAM_APIS = ['openai', 'anthropic'] as const;
export type UpstreamApi = (typeof UPSTREAM_APIS)[number];

/** One deployment: an API the gateway forwards client calls to, for the models it lists. */
export interface Upstream {
  /** Unique among the deployments (`x-tally-served-by`, `GET /admin/upstreams`, metrics). */
  id: string;
  /** The provider name price rules use. */
  provider: string;
  api: UpstreamApi;
  /** Ends in /v1 (both APIs' convention): `${baseUrl}/chat/completions`, `${baseUrl}/responses`,
   * `${baseUrl}/messages`... */
  baseUrl: string;
  apiKey?: string;
  /** Model names it serves; a trailing `*` matches any suffix (`gpt-4o*`), `*` alone any model. */
  models: string[];
  /** Lower is tried first. */
  priority: number;
  /** Its share of the calls among the deployments of equal priority. */
  weight: number;
  /** Longest wait for its answer to begin. */
  timeoutMs: number;
  /** Its provider's limits, requests and tokens per minute: a deployment at one is passed over. */
  rpm?: number;
  tpm?: number;
  /** The default upstream (UPSTREAM_BASE_URL): serves only the models no listed entry serves. */
  catchAll?: boolean;
}

/** A model pattern's rule (upstream routes and API keys' model lists alike). */
export function modelMatches(pattern: string, model: string): boolean {
  return pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model;
}

/**
 * Whether a deployment can serve a client surface speaking `api`: its own API, or the other when
 * the surface translates its calls (`translating`: chat and messages, see translation/).
 */
export function servesSurface(upstream: Upstream, api: UpstreamApi, translating = false): boolean {
  return upstream.api === api || translating;
}

/**
 * The deployments that serve the model to a surface speaking `api`, in configured order: the
 * listed ones, or when none lists it, the default upstream. Translating, those of the other API
 * too (after the surface's own: see deploymentsInOrder).
 */
export function deploymentsFor(
  upstreams: readonly Upstream[],
  model: string,
  api: UpstreamApi = 'openai',
  translating = false,
): Upstream[] {
  const serving = upstreams.filter(
    (u) =>
      servesSurface(u, api, translating) &&
      u.models.some((pattern) => modelMatches(pattern, model)),
  );
  const listed = serving.filter((u) => !u.catchAll);
  return listed.length > 0 ? listed : serving;
}

/**
 * The first deployment that serves the model to a surface speaking `api`: one speaking it before
 * one to translate to, then by priority, then configured order (the specific ones before the
 * default). Not translating, a model served only by a deployment of the other API has none.
 */
export function upstreamFor(
  upstreams: readonly Upstream[],
  model: string,
  api: UpstreamApi = 'openai',
  translating = false,
): Upstream | undefined {
  const rank = (u: Upstream) => [u.api === api ? 0 : 1, u.priority];
  const serving = deploymentsFor(upstreams, model, api, translating);
  return serving.reduce<Upstream | undefined>((first, u) => {
    if (!first) return u;
    const [a, b] = [rank(u), rank(first)];
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]) ? u : first;
  }, undefined);
}

export interface UpstreamSettings {
  UPSTREAMS?: string;
  UPSTREAM_BASE_URL?: string;
  UPSTREAM_API_KEY?: string;
  UPSTREAM_PROVIDER: string;
  /** The deployments' timeout_ms when not set (60 s when not given). */
  UPSTREAM_TIMEOUT_MS?: number;
}

/**
 * The upstreams from the settings: UPSTREAMS (JSON list) first, then UPSTREAM_BASE_URL for every
 * model. Throws with the setting's name, the entry and the field when UPSTREAMS is not valid.
 */
export function parseUpstreams(settings: UpstreamSettings): Upstream[] {
  const timeoutMs = settings.UPSTREAM_TIMEOUT_MS ?? 60_000;
  const listed = settings.UPSTREAMS ? parseList(settings.UPSTREAMS, timeoutMs) : [];
  const fallback: Upstream[] = settings.UPSTREAM_BASE_URL
    ? [
        {
          id: uniqueId(settings.UPSTREAM_PROVIDER, listed),
          provider: settings.UPSTREAM_PROVIDER,
          api: 'openai',
          baseUrl: settings.UPSTREAM_BASE_URL.replace(/\/+$/, ''),
          apiKey: settings.UPSTREAM_API_KEY,
          models: ['*'],
          priority: 0,
          weight: 1,
          timeoutMs,
          catchAll: true,
        },
      ]
    : [];
  return [...listed, ...fallback];
}

/** The default upstream's id: its provider, or with a number when a listed one took that. */
function uniqueId(provider: string, listed: Upstream[]): string {
  const taken = new Set(listed.map((u) => u.id));
  let id = provider;
  for (let n = listed.length; taken.has(id); n++) id = `${provider}-${n}`;
  return id;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

function parseList(json: string, defaultTimeoutMs: number): Upstream[] {
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
  const ids = new Set<string>();
  return (parsed as unknown[]).map((item, i) => {
    const u = (item ?? {}) as Record<string, unknown>;
    const text = (key: string, required: boolean): string | undefined => {
      const value = u[key];
      if (value === undefined && !required) return undefined;
      if (typeof value !== 'string' || value === '')
        fail(`[${i}].${key} must be a non-empty string`);
      return value as string;
    };
    const whole = (key: string, least: number, most: number): number | undefined => {
      const value = u[key];
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < least || value > most)
        fail(`[${i}].${key} must be an integer from ${least} to ${most}`);
      return value as number;
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
    const id = text('id', false) ?? `${provider}-${i}`;
    if (!ID.test(id)) fail(`[${i}].id must be 1 to 64 letters, digits or . _ : -`);
    if (ids.has(id)) fail(`[${i}].id ${id} is already the id of another entry`);
    ids.add(id);
    return {
      id,
      provider,
      api: api as UpstreamApi,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      apiKey: text('api_key', false),
      models: models as string[],
      priority: whole('priority', 0, 1000) ?? 0,
      weight: whole('weight', 1, 1000) ?? 1,
      timeoutMs: whole('timeout_ms', 100, 600_000) ?? defaultTimeoutMs,
      rpm: whole('rpm', 1, 100_000_000),
      tpm: whole('tpm', 1, 10_000_000_000),
    };
  });
}
