import { Injectable } from '@nestjs/common';
import { modelAllowed, type KeyLimits } from '../api-keys/key-limits';
import { PriceBook } from '../pricing/price-book';
import type { UpstreamApi } from '../upstreams/upstream-routes';
import { Upstreams } from '../upstreams/upstreams';

export interface ModelList {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string }[];
}

/**
 * `GET /v1/models`: the chat and embedding models that are priced and have an upstream speaking
 * the API (a chat model: or the other API, translated), and that the asking key may call, in
 * OpenAI's format.
 */
@Injectable()
export class ModelsService {
  constructor(
    private readonly prices: PriceBook,
    private readonly upstreams: Upstreams,
  ) {}

  /** The models; only those its model list allows when asked for a key. */
  async list(api: UpstreamApi = 'openai', key?: KeyLimits): Promise<ModelList> {
    const seen = new Map<string, ModelList['data'][number]>();
    // A chat model served only in the other API is called through translation.
    const rules = [
      ...(await this.prices.modelRules('chat')).map((rule) => ({ rule, translating: true })),
      ...(await this.prices.modelRules('embedding')).map((rule) => ({ rule, translating: false })),
    ];
    for (const { rule, translating } of rules) {
      const model = rule.model!;
      const upstream = this.upstreams.for(model, api, translating);
      if (!upstream || seen.has(model)) continue;
      if (key && !modelAllowed(key, model)) continue;
      if (rule.provider !== null && rule.provider !== upstream.provider) continue;
      const created = Date.parse((rule as { created_at?: string }).created_at ?? '');
      seen.set(model, {
        id: model,
        object: 'model',
        created: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
        owned_by: upstream.provider,
      });
    }
    return { object: 'list', data: [...seen.values()].sort((a, b) => a.id.localeCompare(b.id)) };
  }
}
