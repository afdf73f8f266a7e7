import type { ModelList } from '../chat/models.service';

/** A model list in Anthropic's shape (`GET /v1/models` with `anthropic-version`). */
export function anthropicModelList({ data }: ModelList) {
  return {
    data: data.map((model) => ({
      type: 'model',
      id: model.id,
      display_name: model.id,
      created_at: new Date(model.created * 1000).toISOString(),
    })),
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}
