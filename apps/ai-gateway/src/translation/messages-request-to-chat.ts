import { openAiImageUrl } from './images';
import { given, isObject, untranslatable, untranslatedField } from './untranslatable';

type Part = Record<string, unknown>;
type ChatMessage = Record<string, unknown>;

const refuse = (field: string, why?: string) => untranslatable(field, 'OpenAI', why);

/** OpenAI's most stop sequences. */
const MAX_STOPS = 4;

/**
 * The Messages fields that translate; any other field (thinking, top_k, service_tier...) is
 * refused, so nothing the client asked for is silently dropped.
 */
const TRANSLATED = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'stream',
  'stop_sequences',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'metadata',
]);

/**
 * A Messages request as the Chat Completions request an OpenAI upstream reads: the system prompt
 * as a system message, tool_use and tool_result blocks as tool calls and tool messages, images as
 * image_url parts, max_tokens as max_completion_tokens; a stream asks for the usage chunk. Throws
 * a 400 naming the first field that does not translate.
 */
export function chatRequestFromMessages(body: Record<string, unknown>): Record<string, unknown> {
  checkFields(body);
  const messages = [...systemOf(body.system), ...conversation(body.messages as unknown[])];
  const tools = toolsOf(body.tools);
  const choice = toolChoiceOf(body.tool_choice);
  const user = isObject(body.metadata) ? body.metadata.user_id : undefined;
  return {
    model: body.model,
    messages,
    max_completion_tokens: body.max_tokens,
    ...(given(body.temperature) ? { temperature: body.temperature } : {}),
    ...(given(body.top_p) ? { top_p: body.top_p } : {}),
    ...(given(body.stop_sequences) ? { stop: body.stop_sequences } : {}),
    ...(tools ? { tools } : {}),
    ...choice,
    ...(typeof user === 'string' ? { user } : {}),
    ...(body.stream === true ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

/** Values of untranslated fields that ask for nothing (defaults some clients always send). */
const NEUTRAL: Record<string, (value: unknown) => boolean> = {
  thinking: (v) => isObject(v) && v.type === 'disabled',
  service_tier: (v) => v === 'auto',
};

function checkFields(body: Record<string, unknown>): void {
  const other = untranslatedField(body, TRANSLATED, NEUTRAL);
  if (other !== undefined) throw refuse(other);
  const stops = body.stop_sequences;
  if (given(stops)) {
    if (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string')) {
      throw refuse('stop_sequences', 'must be a list of strings');
    }
    if (stops.length > MAX_STOPS) throw refuse('stop_sequences', `it takes at most ${MAX_STOPS}`);
  }
  const metadata = body.metadata;
  if (given(metadata)) {
    const other = isObject(metadata) && Object.keys(metadata).find((k) => k !== 'user_id');
    if (!isObject(metadata) || other) throw refuse(`metadata.${other || ''}`.replace(/\.$/, ''));
  }
}

function systemOf(system: unknown): ChatMessage[] {
  if (!given(system)) return [];
  if (typeof system === 'string') return [{ role: 'system', content: system }];
  return [{ role: 'system', content: textParts(system, 'system') }];
}

function textParts(content: unknown, field: string): Part[] {
  if (!Array.isArray(content)) throw refuse(field, 'must be text or a list of blocks');
  return content.map((block, j) => textPart(block, `${field}[${j}]`));
}

function textPart(block: unknown, field: string, why = 'only text blocks translate here'): Part {
  if (isObject(block) && block.type === 'text' && typeof block.text === 'string') {
    if (given(block.citations)) throw refuse(`${field}.citations`);
    return { type: 'text', text: block.text };
  }
  throw refuse(field, why);
}

/** The turns as chat messages: a user turn's tool results become tool messages, first. */
function conversation(messages: unknown[]): ChatMessage[] {
  return messages.flatMap((item, i) => {
    const field = `messages[${i}]`;
    if (!isObject(item)) throw refuse(field, 'not a message object');
    if (item.role === 'user') return userMessages(item.content, `${field}.content`);
    if (item.role === 'assistant') return [assistantMessage(item.content, `${field}.content`)];
    throw refuse(`${field}.role`, `${JSON.stringify(item.role)} has no equivalent`);
  });
}

function userMessages(content: unknown, field: string): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  if (!Array.isArray(content)) throw refuse(field, 'must be text or a list of blocks');
  const results: ChatMessage[] = [];
  const parts: Part[] = [];
  content.forEach((block, j) => {
    const at = `${field}[${j}]`;
    if (isObject(block) && block.type === 'tool_result') results.push(toolMessage(block, at));
    else if (isObject(block) && block.type === 'image') {
      parts.push({ type: 'image_url', image_url: { url: openAiImageUrl(block.source, at) } });
    } else parts.push(textPart(block, at, 'only text, image and tool_result blocks translate'));
  });
  return [...results, ...(parts.length ? [{ role: 'user', content: parts }] : [])];
}

function toolMessage(block: Record<string, unknown>, field: string): ChatMessage {
  if (typeof block.tool_use_id !== 'string') throw refuse(`${field}.tool_use_id`, 'missing');
  const content = block.content ?? '';
  return {
    role: 'tool',
    tool_call_id: block.tool_use_id,
    content: typeof content === 'string' ? content : textParts(content, `${field}.content`),
  };
}

/** Text blocks as the content, tool_use blocks as tool calls; earlier thinking is left out. */
function assistantMessage(content: unknown, field: string): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  if (!Array.isArray(content)) throw refuse(field, 'must be text or a list of blocks');
  const texts: string[] = [];
  const calls: Part[] = [];
  content.forEach((block, j) => {
    const at = `${field}[${j}]`;
    if (isObject(block) && (block.type === 'thinking' || block.type === 'redacted_thinking'))
      return;
    if (isObject(block) && block.type === 'tool_use') calls.push(toolCall(block, at));
    else
      texts.push(
        textPart(block, at, 'only text, tool_use and thinking blocks translate').text as string,
      );
  });
  return {
    role: 'assistant',
    content: texts.length ? texts.join('') : null,
    ...(calls.length ? { tool_calls: calls } : {}),
  };
}

function toolCall(block: Record<string, unknown>, field: string): Part {
  if (typeof block.id !== 'string' || typeof block.name !== 'string') {
    throw refuse(field, 'a tool_use block needs an id and a name');
  }
  return {
    id: block.id,
    type: 'function',
    function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
  };
}

function toolsOf(tools: unknown): Part[] | undefined {
  if (!given(tools)) return undefined;
  if (!Array.isArray(tools)) throw refuse('tools', 'not a list');
  return tools.map((tool, i) => {
    const custom = isObject(tool) && (tool.type === undefined || tool.type === 'custom');
    if (!custom || typeof tool.name !== 'string') {
      throw refuse(`tools[${i}]`, 'only tools defined by a name and input_schema translate');
    }
    return {
      type: 'function',
      function: {
        name: tool.name,
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        parameters: isObject(tool.input_schema) ? tool.input_schema : { type: 'object' },
      },
    };
  });
}

function toolChoiceOf(choice: unknown): Part {
  if (!given(choice)) return {};
  if (!isObject(choice)) throw refuse('tool_choice', 'not an object');
  const single = choice.disable_parallel_tool_use === true ? { parallel_tool_calls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...single };
    case 'any':
      return { tool_choice: 'required', ...single };
    case 'none':
      return { tool_choice: 'none' };
    case 'tool':
      if (typeof choice.name !== 'string') throw refuse('tool_choice.name', 'missing');
      return { tool_choice: { type: 'function', function: { name: choice.name } }, ...single };
    default:
      throw refuse('tool_choice.type', 'only auto, any, none or tool translate');
  }
}
