/**
 * Where a list of messages or input items (`field`) carries audio input (a content part of type
 * `input_audio`), as a field path; undefined when it carries none. Audio is priced upstream at
 * rates of its own, many times text's, and the price rules price text only: audio is refused
 * until it is priced.
 */
export function audioInputAt(list: unknown, field: string): string | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const [i, item] of list.entries()) {
    if (isAudio(item)) return `${field}[${i}]`;
    const content = (item as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) continue;
    const j = content.findIndex(isAudio);
    if (j >= 0) return `${field}[${i}].content[${j}]`;
  }
  return undefined;
}

const isAudio = (part: unknown) => (part as { type?: unknown } | null)?.type === 'input_audio';

/** The refusal's words: what is refused and why, after the field's path. */
export const AUDIO_NOT_PRICED = 'audio is not served: its tokens are not priced by the gateway';
