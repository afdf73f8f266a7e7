import type { ServerResponse } from 'node:http';
import { sendJson, sleep } from './fake-http';
import type { FakeModel } from './fake-upstream';

/** A deterministic vector for the index-th input. */
function vector(index: number, dimensions: number): number[] {
  return Array.from({ length: dimensions }, (_, d) => ((index + 1) * (d + 1)) / 64);
}

/**
 * `POST /v1/embeddings`: one vector per input, as floats or (`encoding_format: "base64"`, what
 * the official client asks for by default) as little-endian float32 bytes in base64; usage
 * reports `prompt_tokens` (and `total_tokens`, the same). `chunkDelayMs` delays the answer.
 */
export async function embed(
  res: ServerResponse,
  modelName: string,
  model: FakeModel,
  body: Record<string, unknown>,
): Promise<void> {
  if (model.chunkDelayMs) await sleep(model.chunkDelayMs);
  const inputs =
    Array.isArray(body.input) && typeof body.input[0] !== 'number' ? body.input : [body.input];
  const dimensions =
    typeof body.dimensions === 'number' ? body.dimensions : (model.dimensions ?? 8);
  const base64 = body.encoding_format === 'base64';
  sendJson(res, 200, {
    object: 'list',
    data: inputs.map((_, index) => {
      const values = vector(index, dimensions);
      return {
        object: 'embedding',
        index,
        embedding: base64
          ? Buffer.from(new Float32Array(values).buffer).toString('base64')
          : values,
      };
    }),
    model: modelName,
    ...(model.usage
      ? {
          usage: {
            prompt_tokens: model.usage.prompt_tokens,
            total_tokens: model.usage.prompt_tokens,
          },
        }
      : {}),
  });
}
