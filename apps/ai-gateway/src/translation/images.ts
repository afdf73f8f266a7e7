import { untranslatable } from './untranslatable';

/** Anthropic's image sources: a URL, or base64 data with its media type. */
export type AnthropicImageSource =
  { type: 'url'; url: string } | { type: 'base64'; media_type: string; data: string };

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** An OpenAI `image_url` (a web URL or a base64 data URL) as Anthropic's image source. */
export function anthropicImageSource(url: unknown, field: string): AnthropicImageSource {
  if (typeof url !== 'string' || url === '') {
    throw untranslatable(field, 'Anthropic', 'an image needs a URL or a base64 data URL');
  }
  const data = DATA_URL.exec(url);
  if (data) return { type: 'base64', media_type: data[1], data: data[2] };
  if (url.startsWith('data:')) {
    throw untranslatable(field, 'Anthropic', 'only base64 data URLs are images it reads');
  }
  return { type: 'url', url };
}

/** Anthropic's image source as the URL OpenAI's `image_url` takes (data URL for base64). */
export function openAiImageUrl(source: unknown, field: string): string {
  const s = (source ?? {}) as Record<string, unknown>;
  if (s.type === 'url' && typeof s.url === 'string') return s.url;
  if (s.type === 'base64' && typeof s.media_type === 'string' && typeof s.data === 'string') {
    return `data:${s.media_type};base64,${s.data}`;
  }
  throw untranslatable(`${field}.source`, 'OpenAI', 'only images by URL or base64 translate');
}
