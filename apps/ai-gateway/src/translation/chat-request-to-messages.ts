import { anthropicImageSource } from './images';
import {
  given,
  isEmptyObject,
  isObject,
  untranslatable,
  untranslatedField,
} from './untranslatable';

type Block = Record<string, unknown>;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

const refuse = (field: string, why?: string) => untranslatable(field, 'Anthropic', why);

/**
 * The Chat Completions fields that translate; any other field (or a non-neutral value of a
 * checked one) is refused, so nothing the client asked for is silently dropped.
 */
const TRANSLATED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'stream',
  'stream_options',
  'stop',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'user',
  'n',
  'logprobs',
  'response_format',
]);

/**
 * A Chat Completions request as the Messages request an Anthropic upstream reads: system and
 * developer messages as the system prompt, tool calls and results as tool_use and tool_result
 * blocks, images by URL or base64, `maxTokens` as max_tokens. Throws a 400 naming the first field
 * that does not translate.
 */
export function messagesRequestFromChat(
  body: Record<string, unknown>,
  maxTokens: number,
): Record<string, unknown> {
  checkFields(body);
  const { system, turns } = conversation(body.messages as unknown[]);
  const tools = toolsOf(body.tools);
  const choice = toolChoiceOf(body.tool_choice, body.parallel_tool_calls, tools !== undefined);
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    model: body.model,
    max_tokens: maxTokens,
    ...(system.length ? { system } : {}),
    messages: turns,
    ...(given(body.temperature) ? { temperature: temperatureOf(body.temperature) } : {}),
    ...(given(body.top_p) ? { top_p: body.top_p } : {}),
    ...(given(stop) ? { stop_sequences: stop } : {}),
    ...(tools ? { tools } : {}),
    ...(choice ? { tool_choice: choice } : {}),
    ...(typeof body.user === 'string' ? { metadata: { user_id: body.user } } : {}),
    ...(body.stream === true ? { stream: true } : {}),
  };
}

/** Values of untranslated fields that ask for nothing (defaults some clients always send). */
const NEUTRAL: Record<string, (value: unknown) => boolean> = {
  presence_penalty: (v) => v === 0,
  frequency_penalty: (v) => v === 0,
  top_logprobs: (v) => v === 0,
  logit_bias: isEmptyObject,
  metadata: isEmptyObject,
  store: (v) => v === false,
  service_tier: (v) => v === 'auto',
};

function checkFields(body: Record<string, unknown>): void {
  const other = untranslatedField(body, TRANSLATED, NEUTRAL);
  if (other !== undefined) throw refuse(other);
  if (given(body.n, 1)) throw refuse('n', 'it answers one choice');
  if (given(body.logprobs, false)) throw refuse('logprobs');
  const format = body.response_format;
  if (given(format) && !(isObject(format) && format.type === 'text')) {
    throw refuse('response_format', 'only {"type": "text"} translates');
  }
  if (given(body.stop) && !isStopList(body.stop)) {
    throw refuse('stop', 'stop must be a string or a list of strings');
  }
  if (given(body.top_p) && typeof body.top_p !== 'number') throw refuse('top_p', 'not a number');
  if (given(body.user) && typeof body.user !== 'string') throw refuse('user', 'not a string');
}

const isStopList = (stop: unknown) =>
  typeof stop === 'string' ||
  (Array.isArray(stop) && stop.every((s) => typeof s === 'string' && s !== ''));

/** Anthropic's temperature runs from 0 to 1, OpenAI's to 2: above 1 has no equivalent. */
function temperatureOf(value: unknown): number {
  if (typeof value !== 'number' || value < 0 || value > 1) {
    throw refuse('temperature', 'its temperature runs from 0 to 1');
  }
  return value;
}

/** The messages as the system prompt and alternating turns (consecutive ones of a role merged). */
function conversation(messages: unknown[]): { system: Block[]; turns: Turn[] } {
  const system: Block[] = [];
  const turns: Turn[] = [];
  const add = (role: Turn['role'], content: Block[]) => {
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };
  messages.forEach((item, i) => {
    const field = `messages[${i}]`;
    if (!isObject(item)) throw refuse(field, 'not a message object');
    switch (item.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(item.content, `${field}.content`));
        break;
      case 'user':
        add('user', userBlocks(item.content, `${field}.content`));
        break;
      case 'assistant':
        add('assistant', assistantBlocks(item, field));
        break;
      case 'tool':
        add('user', [toolResult(item, field)]);
        break;
      default:
        throw refuse(`${field}.role`, `${JSON.stringify(item.role)} has no equivalent`);
    }
  });
  return { system, turns };
}

function textBlocks(content: unknown, field: string): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw refuse(field, 'content must be text or a list of parts');
  return content.map((part, j) => textPart(part, `${field}[${j}]`));
}

function textPart(part: unknown, field: string, why = 'only text parts translate here'): Block {
  if (isObject(part) && part.type === 'text' && typeof part.text === 'string') {
    return { type: 'text', text: part.text };
  }
  throw refuse(field, why);
}

function userBlocks(content: unknown, field: string): Block[] {
  if (!Array.isArray(content)) return textBlocks(content, field);
  return content.map((part, j) => {
    const at = `${field}[${j}]`;
    if (isObject(part) && part.type === 'image_url') {
      const image = (part.image_url ?? {}) as Record<string, unknown>;
      return { type: 'image', source: anthropicImageSource(image.url, `${at}.image_url.url`) };
    }
    return textPart(part, at, 'only text and image parts translate');
  });
}

function assistantBlocks(message: Record<string, unknown>, field: string): Block[] {
  if (given(message.function_call)) throw refuse(`${field}.function_call`, 'use tool_calls');
  if (given(message.audio)) throw refuse(`${field}.audio`);
  const content = given(message.content) ? textBlocks(message.content, `${field}.content`) : [];
  const calls = message.tool_calls;
  if (!given(calls)) return content;
  if (!Array.isArray(calls)) throw refuse(`${field}.tool_calls`, 'not a list');
  return [...content, ...calls.map((call, k) => toolUse(call, `${field}.tool_calls[${k}]`))];
}

function toolUse(call: unknown, field: string): Block {
  const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
  if (!isObject(call) || call.type !== 'function' || typeof call.id !== 'string' || !fn) {
    throw refuse(field, 'only function calls with an id translate');
  }
  let input: unknown;
  try {
    input = JSON.parse(typeof fn.arguments === 'string' && fn.arguments ? fn.arguments : '{}');
  } catch {
    input = undefined;
  }
  if (!isObject(input)) {
    throw refuse(`${field}.function.arguments`, 'tool input must be a JSON object');
  }
  return { type: 'tool_use', id: call.id, name: fn.name, input };
}

function toolResult(message: Record<string, unknown>, field: string): Block {
  if (typeof message.tool_call_id !== 'string') {
    throw refuse(`${field}.tool_call_id`, 'a tool result names its call');
  }
  const content = textBlocks(message.content, `${field}.content`);
  return { type: 'tool_result', tool_use_id: message.tool_call_id, content };
}

function toolsOf(tools: unknown): Block[] | undefined {
  if (!given(tools)) return undefined;
  if (!Array.isArray(tools)) throw refuse('tools', 'not a list');
  return tools.map((tool, i) => {
    const fn = isObject(tool) && isObject(tool.function) ? tool.function : undefined;
    if (!isObject(tool) || tool.type !== 'function' || !fn || typeof fn.name !== 'string') {
      throw refuse(`tools[${i}]`, 'only function tools translate');
    }
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      input_schema: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    };
  });
}

function toolChoiceOf(choice: unknown, parallel: unknown, hasTools: boolean): Block | undefined {
  const single = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (!given(choice))
    return hasTools && parallel === false ? { type: 'auto', ...single } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...single };
  if (choice === 'required') return { type: 'any', ...single };
  const fn = isObject(choice) && isObject(choice.function) ? choice.function : undefined;
  if (isObject(choice) && choice.type === 'function' && typeof fn?.name === 'string') {
    return { type: 'tool', name: fn.name, ...single };
  }
  throw refuse('tool_choice', 'only none, auto, required or a named function translate');
}
