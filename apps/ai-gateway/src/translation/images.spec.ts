import { anthropicImageSource, openAiImageUrl } from './images';

describe('images between the APIs', () => {
  it('maps URLs and base64 data URLs to Anthropic sources, and back', () => {
    expect(anthropicImageSource('https://x/a.png', 'f')).toEqual({
      type: 'url',
      url: 'https://x/a.png',
    });
    const base64 = anthropicImageSource('data:image/webp;base64,UklGR', 'f');
    expect(base64).toEqual({ type: 'base64', media_type: 'image/webp', data: 'UklGR' });
    expect(openAiImageUrl(base64, 'f')).toBe('data:image/webp;base64,UklGR');
    expect(openAiImageUrl({ type: 'url', url: 'https://x/a.png' }, 'f')).toBe('https://x/a.png');
  });

  it('refuses what neither reads, naming the field', () => {
    expect(() => anthropicImageSource('data:image/png,raw', 'messages[0].content[1]')).toThrow(
      /^messages\[0\]\.content\[1\]: cannot be translated/,
    );
    expect(() => anthropicImageSource(undefined, 'm')).toThrow(/^m: /);
    expect(() => openAiImageUrl({ type: 'file', file_id: 'f' }, 'messages[0].content[0]')).toThrow(
      /^messages\[0\]\.content\[0\]\.source: cannot be translated/,
    );
  });
});
