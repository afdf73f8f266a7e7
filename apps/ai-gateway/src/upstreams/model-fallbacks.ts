/** The models to try, in order, when every deployment of a model failed. */
export type ModelFallbacks = ReadonlyMap<string, readonly string[]>;

/**
 * MODEL_FALLBACKS (`{"model": ["other", …]}`). Throws naming the setting and the model when it
 * is not valid.
 */
export function parseModelFallbacks(json: string | undefined): ModelFallbacks {
  const fallbacks = new Map<string, string[]>();
  if (!json) return fallbacks;
  const fail = (why: string): never => {
    throw new Error(`MODEL_FALLBACKS: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    fail('is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('must be a JSON object of model names to lists of model names');
  }
  for (const [model, others] of Object.entries(parsed as Record<string, unknown>)) {
    if (
      !Array.isArray(others) ||
      !others.every((m) => typeof m === 'string' && m !== '' && m.length <= 200)
    ) {
      fail(`${model} must be a list of model names`);
    }
    if ((others as string[]).includes(model)) fail(`${model} must not fall back to itself`);
    fallbacks.set(model, others as string[]);
  }
  return fallbacks;
}

/** The asked model, then its fallbacks (each once; not the fallbacks' own). */
export function modelChain(fallbacks: ModelFallbacks, model: string): string[] {
  return [...new Set([model, ...(fallbacks.get(model) ?? [])])];
}
