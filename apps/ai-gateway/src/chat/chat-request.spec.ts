import { DomainError } from '@tally/platform';
import { readChatRequest } from './chat-request';

describe('readChatRequest', () => {
  const messages = [{ role: 'user', content: 'Hello there, how are you today?' }];

  it('reads model, stream, usage wish and the output limit, keeping the body as given', () => {
    const body = {
      model: 'm',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
      temperature: 0.2,
    };
    const request = readChatRequest(body);
    expect(request).toMatchObject({
      model: 'm',
      stream: true,
      clientWantsUsage: true,
      maxOutputTokens: 50,
    });
    expect(request.body).toBe(body);
    expect(request.promptTokens).toBeGreaterThanOrEqual(8);
  });

  it('prefers max_completion_tokens to max_tokens, and has no limit when neither is given', () => {
    expect(
      readChatRequest({ model: 'm', messages, max_tokens: 9, max_completion_tokens: 7 })
        .maxOutputTokens,
    ).toBe(7);
    expect(readChatRequest({ model: 'm', messages }).maxOutputTokens).toBeUndefined();
    expect(readChatRequest({ model: 'm', messages }).stream).toBe(false);
  });

  it('refuses audio, out or in, naming the field: it is not priced', () => {
    const refusal = (body: object) => {
      try {
        readChatRequest({ model: 'm', messages, ...body });
      } catch (error) {
        return (error as DomainError).message;
      }
    };
    expect(refusal({ modalities: ['text', 'audio'] })).toMatch(/^modalities: audio is not served/);
    expect(refusal({ audio: { voice: 'alloy', format: 'wav' } })).toMatch(/^audio: /);
    const spoken = {
      role: 'user',
      content: [
        { type: 'text', text: 'Listen:' },
        { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
      ],
    };
    expect(refusal({ messages: [...messages, spoken] })).toMatch(/^messages\[1\]\.content\[1\]: /);
    expect(refusal({ modalities: ['text'], audio: null })).toBeUndefined();
  });

  it('reads the choices asked for (n), one by default', () => {
    expect(readChatRequest({ model: 'm', messages, n: 40 }).choices).toBe(40);
    expect(readChatRequest({ model: 'm', messages, n: null }).choices).toBe(1);
    expect(readChatRequest({ model: 'm', messages }).choices).toBe(1);
  });

  it.each([
    [[], 'body must be a JSON object'],
    [{ messages }, 'model:'],
    [{ model: 'm', messages: [] }, 'messages:'],
    [{ model: 'm', messages, stream: 'yes' }, 'stream:'],
    [{ model: 'm', messages, max_tokens: 0 }, 'max_tokens:'],
    [{ model: 'm', messages, max_tokens: 1.5 }, 'max_tokens:'],
    [{ model: 'm', messages, stream_options: 'x' }, 'stream_options:'],
    [{ model: 'm', messages, n: 0 }, 'n:'],
    [{ model: 'm', messages, n: 129 }, 'n:'],
    [{ model: 'm', messages, n: '2' }, 'n:'],
    [{ model: 'm', messages, web_search_options: {} }, 'web_search_options: not supported'],
    [{ model: 'm', messages, mcp_servers: [] }, 'mcp_servers: not supported'],
    [{ model: 'm', messages, tools: [{ type: 'web_search' }] }, 'tools[0].type: web_search'],
    [{ model: 'm', messages, tools: [{ function: { name: 'f' } }] }, 'tools[0].type: none'],
    [{ model: 'm', messages, tools: 'f' }, 'tools: must be a list'],
  ])('refuses %j with a reason naming the field', (body, reason) => {
    expect(() => readChatRequest(body)).toThrow(DomainError);
    expect(() => readChatRequest(body)).toThrow(reason);
  });

  it('passes function and custom tools', () => {
    const tools = [
      { type: 'function', function: { name: 'f' } },
      { type: 'custom', name: 'g' },
    ];
    expect(readChatRequest({ model: 'm', messages, tools }).body.tools).toBe(tools);
  });
});
